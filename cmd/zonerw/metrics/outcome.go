package metrics

import "github.com/zonerw/zonerw/failover"

// Record counts the switches and events of a failover outcome. A switch
// is labelled with its decision's kind (target_down, failback, all_down,
// pin, unpin, pin_expired).
func (m *Metrics) Record(out failover.Outcome) {
	for _, d := range out.Decisions {
		m.Switch(d.Service, d.From, d.To, string(d.Kind))
	}
	for _, e := range out.Events {
		m.Event(e.Service, string(e.Kind))
	}
}
