package failover

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// probe runs one batch of a job's checks (a scheduled round, or the
// confirmation probes due) with the witnesses at the same time, applies
// the results, and plans what comes next. A batch cut short by shutdown is
// not applied: a cancelled check says nothing about the target. A panic
// outside the checks (which recover their own) is logged, not fatal.
func (r *runner) probe(ctx context.Context, b batch) {
	l := r.l
	var unconfirmed map[string]bool
	defer func() { r.settle(b, unconfirmed, l.cfg.Now()) }()
	defer func() {
		if p := recover(); p != nil {
			l.log.Error("probe round panicked", "service", r.j.Service, "err", fmt.Sprint(p))
		}
	}()
	obs, wit := l.checkRound(ctx, r.j, b.checks, r.release)
	if ctx.Err() != nil {
		l.log.Info("round abandoned at shutdown", "service", r.j.Service)
		return
	}
	r.applying.Lock()
	defer r.applying.Unlock()
	if obs = r.fresh(b, obs); len(obs) == 0 {
		return
	}
	before := l.cfg.Engine.progress(r.j.Service)
	l.handle(l.cfg.Engine.Apply(Round{At: l.cfg.Now(), Observations: obs, Witnesses: wit}))
	unconfirmed = l.cfg.Engine.unconfirmed(r.j.Service)
	if l.cfg.Progressed != nil && l.cfg.Engine.progress(r.j.Service) != before {
		l.cfg.Progressed()
	}
}

// checkRound runs the checks and the witnesses at the same time, all
// bounded by the job's timeout, and returns the results and the witness
// results the isolation guard is to judge them by (see witnessLog.judge).
// done hears of each check's end as it comes.
func (l *Loop) checkRound(ctx context.Context, j Job, checks []Check, done func(target string)) (obs, wit []Observation) {
	start := l.cfg.Now()
	var wg sync.WaitGroup
	if len(l.cfg.Witnesses) > 0 {
		wg.Go(func() { wit = l.checkAll(ctx, "", l.cfg.Witnesses, j.Timeout, nil) })
	}
	obs = l.checkAll(ctx, j.Service, checks, j.Timeout, done)
	wg.Wait()
	if len(wit) == 0 {
		return obs, nil
	}
	end := l.cfg.Now()
	l.seen.add(start, end, wit)
	return obs, l.seen.judge(start, end, wit)
}

// checkAll runs the checks at the same time, each bounded by timeout, and
// logs every result. done, if not nil, hears of each check's end.
func (l *Loop) checkAll(ctx context.Context, service string, checks []Check, timeout time.Duration, done func(string)) []Observation {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out := make([]Observation, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() {
			r := c.run(ctx)
			out[i] = Observation{Service: service, Target: c.Name, OK: r.OK, Reason: r.Reason, Latency: r.Latency, At: l.cfg.Now()}
			if done != nil {
				done(c.Name)
			}
		})
	}
	wg.Wait()
	for _, o := range out {
		l.log.Debug("probe", "service", service, "target", o.Target, "ok", o.OK, "reason", o.Reason, "latency", o.Latency)
	}
	return out
}

func anyFailed(obs []Observation) bool {
	for _, o := range obs {
		if !o.OK {
			return true
		}
	}
	return false
}
