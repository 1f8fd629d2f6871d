package alert

import (
	"strings"

	"github.com/zonerw/zonerw/failover"
)

// eventKinds are the failover events that raise an alert; the others
// (pins, a hold ending) are an operator's own doing or good news.
var eventKinds = map[failover.EventKind]Kind{
	failover.EventAllDown:      AllDown,
	failover.EventIsolated:     Isolated,
	failover.EventFlapHeld:     FlapHeld,
	failover.EventDrillSkipped: DrillSkipped,
}

// FromOutcome returns the alerts a failover outcome calls for: every
// switch (a pool's as pool_changed), the end of each drill with its
// outcome, and the events an operator must hear about. The moves a drill
// makes on schedule are not alerted one by one (its report says how they
// went), but a drill cut short by a real failure is.
func FromOutcome(out failover.Outcome) []Event {
	var evs []Event
	aborted := map[string]bool{}
	for _, e := range out.Events {
		aborted[e.Service] = aborted[e.Service] || e.Kind == failover.EventDrillAborted
	}
	for _, d := range out.Decisions {
		switch {
		case d.Kind == failover.DecisionDrill, d.Kind == failover.DecisionDrillEnd && !aborted[d.Service]:
			continue
		case d.Pool:
			evs = append(evs, Event{Kind: PoolChanged, Service: d.Service, To: strings.Join(d.Serving, ","), Reason: d.Reason, At: d.At})
			continue
		}
		to := d.To
		if len(d.Serving) > 1 {
			to = "all of " + strings.Join(d.Serving, ",")
		}
		evs = append(evs, Event{Kind: Switch, Service: d.Service, From: d.From, To: to, Reason: d.Reason, At: d.At})
	}
	for _, e := range out.Events {
		if e.Kind == failover.EventDrillFinished && e.Drill != nil {
			k := DrillFailed
			if e.Drill.Result == failover.DrillPassed {
				k = DrillPassed
			}
			evs = append(evs, Event{Kind: k, Service: e.Service, Target: e.Target, Reason: e.Reason, At: e.At})
			continue
		}
		if k, ok := eventKinds[e.Kind]; ok {
			evs = append(evs, Event{Kind: k, Service: e.Service, Target: e.Target, Reason: e.Reason, At: e.At})
		}
	}
	return evs
}
