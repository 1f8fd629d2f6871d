package failover

import (
	"fmt"
	"slices"
	"time"
)

// step decides for one service after a round: pin first, then the flap
// governor's hold, then the rules, each switch passing the governor.
func (e *Engine) step(svc *Service, st *ServiceState, now time.Time, cause []Observation) {
	if st.Pin != nil {
		if why := drillFailure(st); why != "" {
			e.endDrill(svc, st, now, why, true)
			e.resume(svc, st, now, DecisionDrillEnd, why)
		} else if st.Pin.expired(now) {
			e.expire(svc, st, now)
		}
		return
	}
	w := e.want(svc, st, now)
	if st.Hold != nil && !e.release(svc, st, w, now, cause) {
		return
	}
	if w.same(st) {
		return
	}
	if e.overBudget(svc, st, now) {
		e.hold(svc, st, w, now, cause)
		return
	}
	if svc.governed() {
		st.Switches = append(st.Switches, now)
	}
	e.switchTo(svc, st, w, now, cause)
}

// expire ends a pin that reached its end time and lets the rules decide.
func (e *Engine) expire(svc *Service, st *ServiceState, now time.Time) {
	p := st.Pin
	if p.Drill {
		why := fmt.Sprintf("drill on %s reached its end time %s", p.Target, p.Until.Format(time.RFC3339))
		e.endDrill(svc, st, now, why, false)
		e.resume(svc, st, now, DecisionDrillEnd, why)
		return
	}
	st.Pin = nil
	why := fmt.Sprintf("pin on %s expired (set %s until %s: %s)", p.Target, p.Since.Format(time.RFC3339), p.Until.Format(time.RFC3339), p.Reason)
	e.emit(Event{Kind: EventPinExpired, Service: svc.Name, Target: p.Target, Reason: why, At: now})
	e.resume(svc, st, now, DecisionPinExpired, "pin on "+p.Target+" expired")
}

// resume lets the rules decide at once after an operator action or a pin
// ending. The switch it may make is not counted by the flap governor.
func (e *Engine) resume(svc *Service, st *ServiceState, now time.Time, kind DecisionKind, why string) {
	w := e.want(svc, st, now)
	if w.same(st) {
		return
	}
	if w.reason != "" {
		why += "; " + w.reason
	}
	w.kind, w.reason = kind, why
	e.switchTo(svc, st, w, now, nil)
}

// switchTo makes the service serve c and records the decision.
func (e *Engine) switchTo(svc *Service, st *ServiceState, c choice, now time.Time, cause []Observation) {
	from, was := st.Active, serving(svc, st)
	st.Active, st.ServeAll, st.Members = c.active, c.all, slices.Clone(c.members)
	st.ActiveSince, st.Reason = now, c.reason
	d := Decision{
		Service: svc.Name,
		From:    from,
		To:      c.active,
		Serving: serving(svc, st),
		Kind:    c.kind,
		Reason:  c.reason,
		At:      now,
		Cause:   cause,
	}
	if svc.pool() {
		d.Pool, d.Joined, d.Left = true, diff(d.Serving, was), diff(was, d.Serving)
	}
	e.pending.Decisions = append(e.pending.Decisions, d)
}
