package failover

import (
	"fmt"
	"strings"
	"time"
)

// Observe applies a batch of results without witnesses (cron mode) and
// returns a decision for every service whose served targets changed,
// after any made by Pin or Unpin since the last call. Events are counted
// but not returned; use Apply to see them.
func (e *Engine) Observe(obs []Observation) []Decision {
	return e.Apply(Round{Observations: obs}).Decisions
}

// Apply applies one round of results and returns what changed: what Pin
// and Unpin made since the last call first, then the round's decisions and
// events in config order. Results for unknown services or targets are
// ignored.
func (e *Engine) Apply(r Round) Outcome {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.roundTime(r)
	isolated := allFailed(r.Witnesses)
	for i := range e.services {
		svc := &e.services[i]
		st := e.state[svc.Name]
		cause, counted, ignored := e.record(svc, st, r.Observations, isolated, now)
		e.isolation(svc, st, r.Witnesses, cause, ignored, now)
		if counted || (st.Pin != nil && st.Pin.expired(now)) {
			e.step(svc, st, now, cause)
		}
	}
	return e.take()
}

// roundTime is the round's At, else its newest observation, else the clock.
func (e *Engine) roundTime(r Round) time.Time {
	if !r.At.IsZero() {
		return r.At
	}
	at := latest(r.Observations)
	if w := latest(r.Witnesses); w.After(at) {
		at = w
	}
	if at.IsZero() {
		return e.now()
	}
	return at
}

// record applies a service's observations to its targets. While the
// checker is isolated, failures are set aside instead. It returns the
// service's observations, whether any was counted, and those set aside.
func (e *Engine) record(svc *Service, st *ServiceState, obs []Observation, isolated bool, now time.Time) (cause []Observation, counted bool, ignored []Observation) {
	wasAllDown := allDown(st)
	for _, o := range obs {
		ts := st.Targets[o.Target]
		if o.Service != svc.Name || ts == nil {
			continue
		}
		cause = append(cause, o)
		countDrillProbe(st, o)
		if isolated && !o.OK {
			ts.remember(o, false)
			ignored = append(ignored, o)
			continue
		}
		ts.observe(o, svc.Rise, svc.Fall)
		counted = true
	}
	if !wasAllDown && allDown(st) {
		e.emit(Event{Kind: EventAllDown, Service: svc.Name, Reason: fmt.Sprintf("all %d targets down", len(st.Targets)), At: now, Cause: cause})
	}
	return cause, counted, ignored
}

// cleanRoundsToEndIsolation is how many rounds in a row with every target
// answering end a spell of isolation, when no witness has answered yet: a
// flaky uplink that drops every other round stays one spell.
const cleanRoundsToEndIsolation = 3

// isolation follows a service through spells of a cut-off checker: one
// event when failures are first set aside, one when the checker is
// connected again: a round counted a failure (so a witness answered, or
// there are none), or cleanRoundsToEndIsolation rounds in a row where every
// target answered. The rounds in between only add to the counters, so a
// long outage of the checker's own network is two audit lines, not one a
// round.
func (e *Engine) isolation(svc *Service, st *ServiceState, ws, cause, ignored []Observation, now time.Time) {
	switch {
	case len(ignored) > 0:
		st.IsolatedRounds++
		st.CleanRounds = 0
		if st.IsolatedSince.IsZero() {
			st.IsolatedSince = now
			e.emit(Event{Kind: EventIsolated, Service: svc.Name, At: now,
				Reason: isolationReason(ws, ignored), Cause: append(ignored, ws...)})
		}
		return
	case st.IsolatedSince.IsZero() || len(cause) == 0:
		return
	}
	how := "a failure was counted"
	if !anyFailed(cause) {
		if st.CleanRounds++; st.CleanRounds < cleanRoundsToEndIsolation {
			return
		}
		how = fmt.Sprintf("every target answered %d rounds in a row", st.CleanRounds)
	}
	reason := fmt.Sprintf("checker connected again after %s (%s); the failures of %d round(s) were not counted",
		now.Sub(st.IsolatedSince), how, st.IsolatedRounds)
	st.IsolatedSince, st.IsolatedRounds, st.CleanRounds = time.Time{}, 0, 0
	e.emit(Event{Kind: EventIsolationEnded, Service: svc.Name, At: now, Reason: reason, Cause: cause})
}

// allFailed reports whether there were witnesses and every one failed.
func allFailed(ws []Observation) bool {
	for _, w := range ws {
		if w.OK {
			return false
		}
	}
	return len(ws) > 0
}

func allDown(st *ServiceState) bool {
	for _, ts := range st.Targets {
		if ts.Up {
			return false
		}
	}
	return len(st.Targets) > 0
}

func latest(obs []Observation) time.Time {
	var at time.Time
	for _, o := range obs {
		if o.At.After(at) {
			at = o.At
		}
	}
	return at
}

// isolationReason says which witnesses failed and which failures were
// set aside.
func isolationReason(ws, ignored []Observation) string {
	var w, t []string
	for _, o := range ws {
		w = append(w, o.Target+": "+o.Reason)
	}
	for _, o := range ignored {
		t = append(t, o.Target+": "+o.Reason)
	}
	return fmt.Sprintf("checker looks cut off: all %d witnesses failed (%s); not counted: %s",
		len(ws), strings.Join(w, "; "), strings.Join(t, "; "))
}
