package alert

import (
	"strings"

	"github.com/zonerw/zonerw/failover"
)

// eventKinds are the failover events that raise an alert; the others
// (pins, a hold ending) are an operator's own doing or good news.
var eventKinds = map[failover.EventKind]Kind{
	failover.EventAllDown:  AllDown,
	failover.EventIsolated: Isolated,
	failover.EventFlapHeld: FlapHeld,
}

// FromOutcome returns the alerts a failover outcome calls for: every
// switch, and the events an operator must hear about.
func FromOutcome(out failover.Outcome) []Event {
	var evs []Event
	for _, d := range out.Decisions {
		to := d.To
		if len(d.Serving) > 1 {
			to = "all of " + strings.Join(d.Serving, ",")
		}
		evs = append(evs, Event{Kind: Switch, Service: d.Service, From: d.From, To: to, Reason: d.Reason, At: d.At})
	}
	for _, e := range out.Events {
		if k, ok := eventKinds[e.Kind]; ok {
			evs = append(evs, Event{Kind: k, Service: e.Service, Target: e.Target, Reason: e.Reason, At: e.At})
		}
	}
	return evs
}
