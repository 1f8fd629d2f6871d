package failover

import (
	"context"
	"sync"
	"time"
)

// round is one scheduled run of a job: check every target at once, check
// the witnesses if a target failed, and apply the results. A round cut
// short by shutdown is not applied: a cancelled check says nothing about
// the target.
func (l *Loop) round(ctx context.Context, j Job) {
	obs := l.checkAll(ctx, j.Service, j.Targets, j.Timeout)
	var wit []Observation
	if len(l.cfg.Witnesses) > 0 && anyFailed(obs) {
		wit = l.checkAll(ctx, "", l.cfg.Witnesses, j.Timeout)
	}
	if ctx.Err() != nil {
		l.log.Info("round abandoned at shutdown", "service", j.Service)
		return
	}
	l.handle(l.cfg.Engine.Apply(Round{At: l.cfg.Now(), Observations: obs, Witnesses: wit}))
}

// checkAll runs the checks at the same time, each bounded by timeout, and
// logs every result.
func (l *Loop) checkAll(ctx context.Context, service string, checks []Check, timeout time.Duration) []Observation {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out := make([]Observation, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() {
			r := c.run(ctx)
			out[i] = Observation{Service: service, Target: c.Name, OK: r.OK, Reason: r.Reason, Latency: r.Latency, At: l.cfg.Now()}
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
