package failover

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNotPinned is returned by Unpin for a service that is neither pinned
// nor held by the flap governor.
var ErrNotPinned = errors.New("not pinned")

// Pin holds a service on one target until the given time (zero: until
// Unpin), whatever the probes say; it also ends a flap-governor hold. The
// pin is part of State, so it survives a restart. If the service moves, the
// decision is in the next Pending or Apply.
func (e *Engine) Pin(service, target string, until time.Time, reason string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	svc := e.service(service)
	if svc == nil {
		return fmt.Errorf("pin %s: no such service", service)
	}
	if svc.rank(target) < 0 {
		return fmt.Errorf("pin %s: no target %q (targets: %s)", service, target, strings.Join(svc.Targets, ", "))
	}
	now := e.now()
	if !until.IsZero() && !until.After(now) {
		return fmt.Errorf("pin %s to %s: end time %s is not in the future", service, target, until.Format(time.RFC3339))
	}
	st := e.state[service]
	if st.Pin != nil && st.Pin.Drill {
		e.endDrill(svc, st, now, fmt.Sprintf("drill on %s ended early: an operator pinned %s to %s", st.Pin.Target, service, target), true)
	}
	st.Pin = &Pin{Target: target, Since: now, Until: until, Reason: reason}
	st.Hold = nil
	why := pinReason(st.Pin)
	pin := *st.Pin
	e.emit(Event{Kind: EventPinned, Service: service, Target: target, Reason: why, At: now, Pin: &pin})
	if c := (choice{active: target, kind: DecisionPin, reason: why}); !c.same(st) {
		e.switchTo(svc, st, c, now, nil)
	}
	return nil
}

// Unpin ends a service's pin or flap-governor hold and lets the rules
// decide at once. It wraps ErrNotPinned when there was neither.
func (e *Engine) Unpin(service string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	svc := e.service(service)
	if svc == nil {
		return fmt.Errorf("unpin %s: no such service", service)
	}
	st := e.state[service]
	var what string
	switch {
	case st.Pin != nil:
		what = "pin on " + st.Pin.Target
	case st.Hold != nil:
		what = "flap hold on " + st.Active
	default:
		return fmt.Errorf("unpin %s: %w", service, ErrNotPinned)
	}
	now := e.now()
	if st.Pin != nil && st.Pin.Drill {
		what = "drill on " + st.Pin.Target
		e.endDrill(svc, st, now, what+" ended early by zonerw unpin", true)
	}
	st.Pin, st.Hold, st.Switches = nil, nil, nil
	e.emit(Event{Kind: EventUnpinned, Service: service, Target: st.Active, Reason: what + " removed by operator", At: now})
	e.resume(svc, st, now, DecisionUnpin, what+" removed by operator")
	return nil
}

func pinReason(p *Pin) string {
	if p.Drill {
		return fmt.Sprintf("held on %s by a failover drill (from %s) until %s", p.Target, p.From, p.Until.Format(time.RFC3339))
	}
	r := "pinned to " + p.Target + " by operator"
	if !p.Until.IsZero() {
		r += " until " + p.Until.Format(time.RFC3339)
	}
	if p.Reason != "" {
		r += ": " + p.Reason
	}
	return r
}
