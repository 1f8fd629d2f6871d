package failover

import (
	"context"
	"maps"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// idleWait is how long a runner sleeps when its schedule has no next time
// (a cron spec that never matches again); it then looks again.
const idleWait = time.Hour

// runner drives one job: its scheduled rounds, which start on time
// whatever the round before is doing, and the confirmation probes of
// targets whose last result disagreed with their state. A target is never
// probed twice at once: a round that comes while its probe is still in
// flight leaves it to that probe. A batch's results are applied together
// once all its checks and witnesses are done; a target may be probed again
// as soon as its own check is, and the engine drops a result older than
// one it already counted.
type runner struct {
	l     *Loop
	j     Job
	sched cron.Schedule

	mu      sync.Mutex
	planned time.Time            // the next scheduled round
	confirm map[string]time.Time // target -> its next confirmation probe
	busy    map[string]bool      // targets with a probe in flight
	started map[string]uint64    // target -> probes started, numbering each
	applied map[string]uint64    // target -> the number of its newest probe applied
	wake    chan struct{}        // holds one signal: a probe finished

	applying sync.Mutex // one batch applied at a time, so none overtakes another
}

// batch is the checks a runner started together, with each one's number.
type batch struct {
	checks []Check
	seq    map[string]uint64
}

func newRunner(l *Loop, j Job, s cron.Schedule) *runner {
	return &runner{l: l, j: j, sched: s, wake: make(chan struct{}, 1)}
}

// start plans the first round after now and forgets any earlier run,
// but not the confirmation the engine's state still calls for: a target
// whose last counted result disagrees with its state (a reload or a
// restart came between its confirmation probes) is probed ConfirmEvery
// after now, not at the next round.
func (r *runner) start(now time.Time) {
	unconfirmed := r.l.cfg.Engine.unconfirmed(r.j.Service)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.planned = r.sched.Next(now.In(r.l.cfg.Location))
	r.confirm, r.busy = map[string]time.Time{}, map[string]bool{}
	r.started, r.applied = map[string]uint64{}, map[string]uint64{}
	if r.j.ConfirmEvery > 0 {
		for _, c := range r.j.Targets {
			if unconfirmed[c.Name] {
				r.confirm[c.Name] = now.Add(r.j.ConfirmEvery)
			}
		}
	}
}

// stop forgets the plan once Run is over.
func (r *runner) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.planned, r.confirm = time.Time{}, nil
}

// plan returns the next scheduled round (zero while the loop is not
// running) and the confirmation probes planned.
func (r *runner) plan() (time.Time, map[string]time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.planned, maps.Clone(r.confirm)
}

// run starts the job's probes on time until ctx is done; each batch of
// probes runs on its own goroutine, counted in probes.
func (r *runner) run(ctx context.Context, probes *sync.WaitGroup) {
	for {
		wait := idleWait
		if at := r.nextWake(); !at.IsZero() {
			wait = at.Sub(r.l.cfg.Now())
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-r.wake:
			t.Stop()
			continue
		case <-t.C:
		}
		now := r.l.cfg.Now()
		if b := r.due(now); len(b.checks) > 0 {
			probes.Go(func() { r.probe(ctx, b) })
		}
	}
}

// nextWake is the earliest of the next round and the confirmation probes
// of targets not in flight; zero when there is none.
func (r *runner) nextWake() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	at := r.planned
	for t, c := range r.confirm {
		if !r.busy[t] && (at.IsZero() || c.Before(at)) {
			at = c
		}
	}
	return at
}

// due picks the checks to start at now: every target at a scheduled
// round, else the targets whose confirmation probe is due; never one
// already in flight. It marks them in flight and plans the next round.
func (r *runner) due(now time.Time) batch {
	r.mu.Lock()
	defer r.mu.Unlock()
	scheduled := !r.planned.IsZero() && !now.Before(r.planned)
	if scheduled {
		r.planned = r.after(r.planned, now)
	}
	out := batch{seq: map[string]uint64{}}
	for _, c := range r.j.Targets {
		at, confirming := r.confirm[c.Name]
		switch {
		case r.busy[c.Name]:
			if scheduled {
				r.l.log.Debug("probe still in flight at the round's time; its result stands for this round", "service", r.j.Service, "target", c.Name)
			}
		case scheduled || confirming && !now.Before(at):
			out.checks = append(out.checks, c)
			r.started[c.Name]++
			out.seq[c.Name] = r.started[c.Name]
			r.busy[c.Name] = true
			delete(r.confirm, c.Name)
		}
	}
	return out
}

// after is the round that follows prev, on the schedule's own times; if
// that has passed already (the machine slept), the first after now.
func (r *runner) after(prev, now time.Time) time.Time {
	loc := r.l.cfg.Location
	n := r.sched.Next(prev.In(loc))
	if !n.IsZero() && !n.After(now) {
		n = r.sched.Next(now.In(loc))
	}
	return n
}

// fresh drops the results of b older than one applied already (a
// target probed again while the rest of b ran, and applied first) and
// counts the rest as applied. Call it under applying.
func (r *runner) fresh(b batch, obs []Observation) []Observation {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Observation
	for _, o := range obs {
		if n := b.seq[o.Target]; n > r.applied[o.Target] {
			r.applied[o.Target] = n
			out = append(out, o)
		}
	}
	return out
}

// release marks a target's probe done, so that the next round may probe
// it again even while the rest of its batch is still running.
func (r *runner) release(target string) {
	r.mu.Lock()
	delete(r.busy, target)
	r.mu.Unlock()
	r.signal()
}

// settle plans, once a batch is applied, a confirmation probe for each of
// its targets whose state the engine has not confirmed (unconfirmed), and
// wakes the runner to look again. A target probed again meanwhile is left
// to its newer probe.
func (r *runner) settle(b batch, unconfirmed map[string]bool, now time.Time) {
	r.mu.Lock()
	for _, c := range b.checks {
		switch {
		case r.confirm == nil || r.busy[c.Name]: // Run is over, or a newer probe runs
		case r.j.ConfirmEvery > 0 && unconfirmed[c.Name]:
			r.confirm[c.Name] = now.Add(r.j.ConfirmEvery)
		default:
			delete(r.confirm, c.Name)
		}
	}
	r.mu.Unlock()
	r.signal()
}

func (r *runner) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}
