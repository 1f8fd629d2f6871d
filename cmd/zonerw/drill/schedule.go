package drill

import (
	"context"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/failover"
)

// recheck is the longest the drill scheduler sleeps, so that a
// reloaded config's drill schedule takes effect within it.
const recheck = time.Minute

// schedule calls due for each service's drill (drill: {every, for}) at
// the times of its schedule, until ctx is done. It reads services each
// time it wakes (at least every recheck), so a reload's schedule counts
// from then.
func schedule(ctx context.Context, services func() []config.Service, due func(service string, dur time.Duration)) {
	next := map[string]time.Time{}
	specs := map[string]string{}
	for {
		now := time.Now()
		wake := now.Add(recheck)
		for _, s := range services() {
			if s.Drill == nil {
				delete(next, s.Name)
				continue
			}
			sched, err := config.ParseSchedule(s.Drill.Every)
			if err != nil {
				continue // the config was validated; nothing to run
			}
			if specs[s.Name] != s.Drill.Every || next[s.Name].IsZero() {
				specs[s.Name], next[s.Name] = s.Drill.Every, sched.Next(now)
			}
			if !now.Before(next[s.Name]) {
				due(s.Name, s.Drill.For)
				next[s.Name] = sched.Next(now)
			}
			wake = earliest(wake, next[s.Name])
		}
		t := time.NewTimer(time.Until(wake))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// scheduled starts one scheduled drill. A drill that cannot run when it
// is due (its next target down, the service pinned, ...) is skipped:
// logged, recorded and alerted as drill_skipped.
func (r *Runner) scheduled(service string, dur time.Duration) {
	if _, err := r.Drill(service, dur); err != nil {
		r.d.Log.Warn("scheduled failover drill skipped", "service", service, "err", err)
		ev := failover.Event{Kind: failover.EventDrillSkipped, Service: service, Reason: err.Error(), At: time.Now()}
		r.d.Record(failover.Outcome{Events: []failover.Event{ev}})
	}
}

func earliest(a, b time.Time) time.Time {
	if !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}
