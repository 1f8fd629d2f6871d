package metrics

import (
	"strings"

	"github.com/zonerw/zonerw/failover"
)

// Record counts the switches and events of a failover outcome.
func (m *Metrics) Record(out failover.Outcome) {
	for _, d := range out.Decisions {
		m.Switch(d.Service, d.From, d.To, ReasonKind(d.Reason))
	}
	for _, e := range out.Events {
		m.Event(e.Service, string(e.Kind))
	}
}

// ReasonKind sorts a decision's reason, written for people by the
// failover engine, into a label value with few values: pin, unpin,
// pin_expired, all_down, target_down, failback or other.
func ReasonKind(reason string) string {
	switch {
	case strings.HasPrefix(reason, "pinned to "):
		return "pin"
	case strings.Contains(reason, "removed by operator"):
		return "unpin"
	case strings.HasPrefix(reason, "pin on ") && strings.Contains(reason, " expired"):
		return "pin_expired"
	case strings.HasPrefix(reason, "all targets down"):
		return "all_down"
	case strings.Contains(reason, " down after "):
		return "target_down"
	case strings.Contains(reason, " up after "):
		return "failback"
	}
	return "other"
}
