package failover

import (
	"fmt"
	"slices"
	"time"
)

// overBudget forgets switches older than the window and reports whether
// one more would make more than MaxSwitches within it.
func (e *Engine) overBudget(svc *Service, st *ServiceState, now time.Time) bool {
	if !svc.governed() {
		st.Switches = nil
		return false
	}
	st.Switches = slices.DeleteFunc(st.Switches, func(t time.Time) bool { return now.Sub(t) >= svc.SwitchWindow })
	return len(st.Switches) >= svc.MaxSwitches
}

// hold refuses the switch to c and holds the service where it is.
func (e *Engine) hold(svc *Service, st *ServiceState, c choice, now time.Time, cause []Observation) {
	reason := fmt.Sprintf("flapping: %d switches within %s; held on %s instead of moving to %s (%s)",
		len(st.Switches), svc.SwitchWindow, st.Active, c.key(), c.reason)
	st.Hold = &Hold{Since: now, Reason: reason, Want: c.key(), WantSince: now}
	e.emit(Event{Kind: EventFlapHeld, Service: svc.Name, Target: st.Active, Reason: reason, At: now, Cause: cause})
}

// release keeps track of what the rules ask for while a service is held.
// Under FlapReleaseAuto, once they have asked for the same thing for a
// whole SwitchWindow, it ends the hold and reports true.
func (e *Engine) release(svc *Service, st *ServiceState, c choice, now time.Time, cause []Observation) bool {
	h := st.Hold
	if h.Want != c.key() {
		h.Want, h.WantSince = c.key(), now
	}
	// A hold also ends once the governor has been turned off.
	if svc.governed() && (svc.FlapRelease == FlapReleaseManual || now.Sub(h.WantSince) < svc.SwitchWindow) {
		return false
	}
	st.Hold, st.Switches = nil, nil
	reason := fmt.Sprintf("steady on %s for %s (held since %s)", c.key(), now.Sub(h.WantSince), h.Since.Format(time.RFC3339))
	e.emit(Event{Kind: EventFlapReleased, Service: svc.Name, Target: st.Active, Reason: reason, At: now, Cause: cause})
	return true
}
