package failover

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Publisher receives what services serve after decisions: the zone
// pipeline, a provider push. Publish gets every decision of one coalescing
// window at once, with the active targets of every service at that moment;
// it should return when ctx is done.
type Publisher interface {
	Publish(ctx context.Context, s Snapshot) error
}

// Snapshot is one call to Publish.
type Snapshot struct {
	Active    map[string][]string // service -> ActiveTargets
	Decisions []Decision
	At        time.Time
}

// Recorder sees every decision and event as it is made, before
// coalescing: the audit log, alerts, metrics. Record must not block long.
type Recorder interface {
	Record(Outcome)
}

// Job is one service's schedule and checks.
type Job struct {
	Service string
	Spec    string        // cron spec: "@every 2s", "*/5 * * * *"
	Timeout time.Duration // bound on each check of one round
	// ConfirmEvery, when positive, is how soon a target is probed again
	// after a result that disagrees with its state (a failure of a target
	// that is up, a success of one that is down), until rise or fall
	// decides or a result agrees again; between scheduled rounds, and
	// counted from the end of the probe before.
	ConfirmEvery time.Duration
	Targets      []Check // named as the engine's targets
}

// Defaults for LoopConfig's zero values.
const (
	DefaultJitter         = time.Second
	DefaultPublishTimeout = 30 * time.Second
	DefaultRetryDelay     = 5 * time.Second
)

// LoopConfig is what a Loop is built from. Engine, Jobs and Publisher are
// required; the rest has defaults.
type LoopConfig struct {
	Engine *Engine
	Jobs   []Job
	// Witnesses are checked with every probe of a service's targets, at
	// the same time and bounded by that job's Timeout; see
	// Round.Witnesses.
	Witnesses []Check
	Publisher Publisher
	Recorder  Recorder // optional
	// Progressed, if set, is called after a round that changed a
	// target's state or its count toward changing it (Engine.State has
	// it), whether or not a decision followed: the daemon saves its
	// state file then, so that a kill loses no count toward a failover.
	// It must not block long.
	Progressed func()
	Logger     *slog.Logger // nil: discard
	Location   *time.Location
	// Jitter spreads the services' rounds: the i-th of n fires i*Jitter/n
	// after each of its schedule's times. Zero means DefaultJitter, a
	// negative value none.
	Jitter time.Duration
	// Coalesce, when positive, holds the first decision that long so
	// that later ones join its Publish. Zero (the default) publishes each
	// round's decisions as soon as the round is decided.
	Coalesce       time.Duration
	PublishTimeout time.Duration // bound on one Publish; not cut by shutdown
	RetryDelay     time.Duration // wait before publishing again after a failure
	Now            func() time.Time
}

// Loop runs the jobs on their schedules, applies each round to the
// engine and publishes the decisions.
type Loop struct {
	cfg     LoopConfig
	log     *slog.Logger
	runners []*runner // one per job
	batch   batcher
	seen    witnessLog // recent witness results, for the isolation guard
	running sync.Mutex // one Run at a time
}

// NewLoop checks the config and fills its defaults.
func NewLoop(cfg LoopConfig) (*Loop, error) {
	if cfg.Engine == nil || cfg.Publisher == nil {
		return nil, errors.New("failover loop: engine and publisher are required")
	}
	fillDefaults(&cfg)
	l := &Loop{cfg: cfg, log: cfg.Logger, batch: newBatcher()}
	var errs []error
	for i, j := range cfg.Jobs {
		s, err := schedule(j.Spec, i, len(cfg.Jobs), cfg.Jitter)
		if err != nil {
			errs = append(errs, fmt.Errorf("service %s: %w", j.Service, err))
		}
		if j.Timeout <= 0 {
			errs = append(errs, fmt.Errorf("service %s: check timeout %s must be positive", j.Service, j.Timeout))
		}
		errs = append(errs, knownTargets(cfg.Engine, j))
		if err == nil {
			warnSlowProbe(cfg.Logger, j, s, cfg.Now())
		}
		l.runners = append(l.runners, newRunner(l, j, s))
		l.seen.keep = max(l.seen.keep, 2*j.Timeout)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("failover loop: %w", err)
	}
	return l, nil
}

// knownTargets checks that the engine knows the job's service and targets.
func knownTargets(e *Engine, j Job) error {
	svc := e.service(j.Service)
	if svc == nil {
		return fmt.Errorf("service %s: not known to the engine", j.Service)
	}
	var errs []error
	for _, c := range j.Targets {
		if svc.rank(c.Name) < 0 {
			errs = append(errs, fmt.Errorf("service %s: target %q not known to the engine", j.Service, c.Name))
		}
	}
	return errors.Join(errs...)
}

func fillDefaults(cfg *LoopConfig) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.Jitter == 0 {
		cfg.Jitter = DefaultJitter
	}
	if cfg.Jitter < 0 {
		cfg.Jitter = 0
	}
	cfg.Coalesce = max(cfg.Coalesce, 0)
	if cfg.PublishTimeout <= 0 {
		cfg.PublishTimeout = DefaultPublishTimeout
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = DefaultRetryDelay
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
}

// Run probes on schedule until ctx is done. Then it waits for the probes
// in progress (their checks are cancelled and their results not applied),
// publishes what is still pending and returns. No goroutine it started
// outlives it.
func (l *Loop) Run(ctx context.Context) error {
	if !l.running.TryLock() {
		return errors.New("failover loop: already running")
	}
	defer l.running.Unlock()
	stop := make(chan struct{})
	var pub, probes sync.WaitGroup
	pub.Go(func() { l.publishLoop(ctx, stop) })
	start := l.cfg.Now()
	for _, r := range l.runners {
		r.start(start)
		probes.Go(func() { r.run(ctx, &probes) })
	}
	l.log.Info("failover loop started", "services", len(l.cfg.Jobs))
	<-ctx.Done()
	probes.Wait()
	for _, r := range l.runners {
		r.stop()
	}
	close(stop)
	pub.Wait()
	l.log.Info("failover loop stopped")
	return nil
}

// Pin pins a service (see Engine.Pin) and publishes the switch, if any,
// with the next window.
func (l *Loop) Pin(service, target string, until time.Time, reason string) error {
	if err := l.cfg.Engine.Pin(service, target, until, reason); err != nil {
		return err
	}
	l.handle(l.cfg.Engine.Pending())
	return nil
}

// Unpin unpins a service (see Engine.Unpin) and publishes the switch, if
// any, with the next window.
func (l *Loop) Unpin(service string) error {
	if err := l.cfg.Engine.Unpin(service); err != nil {
		return err
	}
	l.handle(l.cfg.Engine.Pending())
	return nil
}

// handle logs and records an outcome and queues its decisions to publish.
func (l *Loop) handle(out Outcome) {
	if out.Empty() {
		return
	}
	for _, d := range out.Decisions {
		l.log.Info("switch", "service", d.Service, "from", d.From, "to", d.To, "serving", d.Serving, "reason", d.Reason)
	}
	for _, ev := range out.Events {
		l.log.Warn("failover event", "service", ev.Service, "kind", string(ev.Kind), "target", ev.Target, "reason", ev.Reason)
	}
	if l.cfg.Recorder != nil {
		l.cfg.Recorder.Record(out)
	}
	l.batch.add(out.Decisions)
}

// NextRound returns the service's schedule, for Engine.Explain; nil for a
// service the loop does not run. While the loop runs it follows the rounds
// it has planned: an "@every" schedule counts from when the loop started,
// not from the time asked about.
func (l *Loop) NextRound(service string) NextRound {
	r := l.runner(service)
	if r == nil {
		return nil
	}
	sched, loc := r.sched, l.cfg.Location
	planned, _ := r.plan()
	every, isEvery := sched.(shifted).every()
	return func(t time.Time) time.Time {
		switch {
		case planned.IsZero():
			return sched.Next(t.In(loc))
		case t.Before(planned):
			return planned
		case isEvery: // rounds at planned + k*every
			return planned.Add((t.Sub(planned)/every + 1) * every)
		}
		return sched.Next(t.In(loc))
	}
}

// Schedule is what the loop knows of a service's coming probes, for
// Engine.ExplainSchedule; the zero Schedule for a service it does not run.
func (l *Loop) Schedule(service string) Schedule {
	r := l.runner(service)
	if r == nil {
		return Schedule{}
	}
	_, confirm := r.plan()
	return Schedule{Next: l.NextRound(service), ConfirmEvery: r.j.ConfirmEvery, Confirm: confirm}
}

func (l *Loop) runner(service string) *runner {
	i := slices.IndexFunc(l.cfg.Jobs, func(j Job) bool { return j.Service == service })
	if i < 0 {
		return nil
	}
	return l.runners[i]
}

// warnSlowProbe logs a job whose check timeout reaches its interval: a
// target that stops answering is then probed only once its probe timed
// out, less often than the schedule says (zonerw check reports it too).
func warnSlowProbe(log *slog.Logger, j Job, s cron.Schedule, now time.Time) {
	t1 := s.Next(now)
	if t1.IsZero() {
		return
	}
	if every := s.Next(t1).Sub(t1); j.Timeout >= every {
		log.Warn("check timeout reaches the probe interval: a target that stops answering is probed only once its probe timed out",
			"service", j.Service, "timeout", j.Timeout, "every", every)
	}
}
