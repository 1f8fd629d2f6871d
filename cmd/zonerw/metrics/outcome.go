package metrics

import "github.com/zonerw/zonerw/failover"

// Record counts the switches and events of a failover outcome. A switch
// is labelled with its decision's kind (target_down, failback, all_down,
// pin, unpin, pin_expired, drill, drill_end); a pool's change of members
// is counted per target that joined or left instead. A finished or
// skipped drill counts as a drill run by its result.
func (m *Metrics) Record(out failover.Outcome) {
	for _, d := range out.Decisions {
		if !d.Pool {
			m.Switch(d.Service, d.From, d.To, string(d.Kind))
			continue
		}
		for _, t := range d.Joined {
			m.poolChanges.WithLabelValues(d.Service, t, "joined").Inc()
		}
		for _, t := range d.Left {
			m.poolChanges.WithLabelValues(d.Service, t, "left").Inc()
		}
	}
	for _, e := range out.Events {
		m.Event(e.Service, string(e.Kind))
		switch {
		case e.Kind == failover.EventDrillFinished && e.Drill != nil:
			m.drills.WithLabelValues(e.Service, string(e.Drill.Result)).Inc()
		case e.Kind == failover.EventDrillSkipped:
			m.drills.WithLabelValues(e.Service, "skipped").Inc()
		}
	}
}
