package failover

import (
	"fmt"
	"time"
)

// decide picks the first target in config order that is up. When none is
// up the service stays where it is: pointing every name at a target that
// is also down gains nothing, and the last choice is as good as any.
func (e *Engine) decide(svc Service) (Decision, bool) {
	st := e.state[svc.Name]
	from := st.Active
	to := ""
	for _, t := range svc.Targets {
		if st.Targets[t].Up {
			to = t
			break
		}
	}
	if to == "" || to == from {
		return Decision{}, false
	}
	st.Active = to
	return Decision{
		Service: svc.Name,
		From:    from,
		To:      to,
		Reason:  e.reason(svc, from, to),
		At:      e.latest(st),
	}, true
}

// reason explains a switch in words an operator can act on.
func (e *Engine) reason(svc Service, from, to string) string {
	st := e.state[svc.Name]
	if f := st.Targets[from]; f != nil && !f.Up {
		return fmt.Sprintf("%s down after %d consecutive failures: %s", from, f.Failures, f.LastReason)
	}
	t := st.Targets[to]
	return fmt.Sprintf("%s up after %d consecutive successes", to, t.Successes)
}

// latest is the time of the newest probe of a service, the decision's time.
func (e *Engine) latest(st *ServiceState) time.Time {
	var at time.Time
	for _, ts := range st.Targets {
		if ts.LastProbe.After(at) {
			at = ts.LastProbe
		}
	}
	return at
}
