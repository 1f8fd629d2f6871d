package failover

import (
	"fmt"
	"slices"
	"time"
)

// planner works out, for Explain, why a service is where it is and what
// could move it. It reads a copy of the service's state and changes
// nothing.
type planner struct {
	e     *Engine
	svc   *Service
	st    *ServiceState
	now   time.Time
	sched Schedule
}

// roundSlack is how late after its scheduled time a round is assumed to
// take its time (Round.At is taken once its probes are done). A condition
// on a duration since a round's time (failback delay, pin end, hold
// release) is met by the round scheduled within roundSlack before the
// exact end, as in the daemon it is.
const roundSlack = 100 * time.Millisecond

// explain returns the sentence for Explanation.Now and the moves.
func (p planner) explain() (string, []Move) {
	switch {
	case p.st.Pin != nil:
		return p.pinned()
	case p.st.Hold != nil:
		return p.held()
	}
	now, moves := p.rules()
	if w := p.e.want(p.svc, p.st, p.now); !w.same(p.st) {
		// The rules already ask for a move (a state saved under another
		// config, say); the next counted round makes it, whatever else
		// could.
		moves = slices.DeleteFunc(moves, func(m Move) bool { return m.To == w.key() })
		moves = append(moves, Move{To: w.key(), If: "the next probe round: the rules already ask for it (" + w.reason + ")",
			Rounds: 1, Earliest: p.round(1)})
	}
	return now, moves
}

// pinned explains a pin: only its end or zonerw unpin moves the service.
func (p planner) pinned() (string, []Move) {
	pin := p.st.Pin
	now := fmt.Sprintf("%s since %s", pinReason(pin), pin.Since.UTC().Format(time.RFC3339))
	w := p.e.want(p.svc, p.unpinned(), p.now)
	if w.key() == pin.Target {
		return now + "; the probes would keep it on " + pin.Target + " too", nil
	}
	if pin.Until.IsZero() {
		return now, []Move{{To: w.key(), If: "an operator runs zonerw unpin " + p.svc.Name + " while the targets stay as they are"}}
	}
	// The pin ends at the first round at or after Until; without a
	// schedule Until itself is the earliest.
	end := p.roundAtOrAfter(pin.Until.Add(-roundSlack))
	if end.IsZero() {
		end = pin.Until
	}
	return now, []Move{{To: w.key(), If: "the pin ends at " + pin.Until.UTC().Format(time.RFC3339) + " while the targets stay as they are",
		Earliest: end}}
}

// unpinned is the state as the rules would see it without the pin.
func (p planner) unpinned() *ServiceState {
	c := p.st.clone()
	c.Pin = nil
	return c
}

// held explains a flap-governor hold and how it could end.
func (p planner) held() (string, []Move) {
	h := p.st.Hold
	w := p.e.want(p.svc, p.st, p.now)
	if w.same(p.st) {
		return h.Reason + "; the probes now ask for " + p.st.Active + " too", nil
	}
	unpin := Move{To: w.key(), If: "an operator runs zonerw unpin " + p.svc.Name}
	if p.svc.FlapRelease == FlapReleaseManual {
		return h.Reason, []Move{unpin}
	}
	since := p.now
	if h.Want == w.key() {
		since = h.WantSince
	}
	end := since.Add(p.svc.SwitchWindow)
	return h.Reason, []Move{unpin, {To: w.key(),
		If:       fmt.Sprintf("the probes keep asking for %s until %s (steady for the switch window %s)", w.key(), end.UTC().Format(time.RFC3339), p.svc.SwitchWindow),
		Earliest: p.roundAtOrAfter(end.Add(-roundSlack))}}
}

// rules explains a service the probes steer.
func (p planner) rules() (string, []Move) {
	st, svc := p.st, p.svc
	if svc.pool() {
		return p.pool()
	}
	cur := st.Targets[st.Active]
	switch {
	case st.ServeAll:
		return "every target is down; the all-down policy serves all of them", p.comebacks("")
	case cur == nil || !cur.Up:
		return fmt.Sprintf("every target is down; the all-down policy %s leaves it on %s", policyName(svc.AllDown), st.Active), p.comebacks(st.Active)
	}
	var moves []Move
	if m, ok := p.failover(); ok {
		moves = append(moves, m)
	}
	now := st.Active + " is up"
	rank := svc.rank(st.Active)
	for _, t := range svc.Targets[:rank] {
		ts := st.Targets[t]
		if ts.Up && waiting(svc, ts, p.now) {
			now += fmt.Sprintf("; %s (preferred) is up since %s and waits out the failback delay %s",
				t, ts.UpSince.UTC().Format(time.RFC3339), svc.FailbackDelay)
		}
		moves = append(moves, p.failback(t, ts))
	}
	switch {
	case rank == 0:
		now += " and is the most preferred target"
	case !anyUp(st, svc.Targets[:rank]):
		now += " and every more preferred target is down"
	}
	return now, moves
}

// failover is the move away from the active target should it go down.
func (p planner) failover() (Move, bool) {
	st, svc := p.st, p.svc
	k := max(svc.Fall-st.Targets[st.Active].Failures, 1)
	cond := fmt.Sprintf("%s fails %d more probe(s) in a row (fall %d)", st.Active, k, max(svc.Fall, 1))
	for _, t := range svc.Targets {
		if t != st.Active && st.Targets[t].Up {
			return Move{To: t, If: cond + " while " + t + " stays up", Rounds: k, Earliest: p.probes(st.Active, k)}, true
		}
	}
	switch svc.AllDown {
	case AllDownFirst:
		if svc.Targets[0] != st.Active {
			return Move{To: svc.Targets[0], If: cond + " and every target is down (all-down policy first)", Rounds: k, Earliest: p.probes(st.Active, k)}, true
		}
	case AllDownAll:
		return Move{To: "*", If: cond + " and every target is down (all-down policy all)", Rounds: k, Earliest: p.probes(st.Active, k)}, true
	}
	return Move{}, false
}

// failback is the move back to a more preferred target t.
func (p planner) failback(t string, ts *TargetState) Move {
	delay := p.svc.FailbackDelay
	if ts.Up {
		if !waiting(p.svc, ts, p.now) {
			return Move{To: t, If: "the next probe round", Rounds: 1, Earliest: p.round(1)}
		}
		end := ts.UpSince.Add(delay)
		return Move{To: t, If: fmt.Sprintf("%s stays up until %s (failback delay %s)", t, end.UTC().Format(time.RFC3339), delay),
			Rounds: 1, Earliest: p.roundAtOrAfter(scheduledAt(ts).Add(delay - roundSlack))}
	}
	k := max(p.svc.Rise-ts.Successes, 1)
	m := Move{To: t, If: fmt.Sprintf("%s passes %d more probe(s) in a row (rise %d)", t, k, max(p.svc.Rise, 1)), Rounds: k, Earliest: p.probes(t, k)}
	if delay > 0 {
		m.If += fmt.Sprintf(", then stays up for the failback delay %s", delay)
		if !m.Earliest.IsZero() {
			m.Earliest = p.roundAtOrAfter(m.Earliest.Add(delay))
		}
	}
	return m
}

// comebacks are the moves while every target is down: to each target
// that comes back, except stay.
func (p planner) comebacks(stay string) []Move {
	var moves []Move
	for _, t := range p.svc.Targets {
		if t == stay {
			continue
		}
		k := max(p.svc.Rise-p.st.Targets[t].Successes, 1)
		moves = append(moves, Move{To: t, If: fmt.Sprintf("%s passes %d more probe(s) in a row (rise %d) before any more preferred target",
			t, k, max(p.svc.Rise, 1)), Rounds: k, Earliest: p.probes(t, k)})
	}
	return moves
}

// round is the time of the k-th probe round after now; zero without a
// schedule.
func (p planner) round(k int) time.Time {
	t := p.now
	for range k {
		if p.sched.Next == nil || t.IsZero() {
			return time.Time{}
		}
		t = p.sched.Next(t)
	}
	return t
}

// probes is the earliest time of the k-th probe of target after now, each
// disagreeing with its state (as failures of a target that is up, or
// successes of one that is down, do): the confirmation probe planned for
// it or the next round, whichever is first, then a confirmation probe
// every ConfirmEvery where that comes before the next round. Zero
// without a schedule.
func (p planner) probes(target string, k int) time.Time {
	next := p.sched.Next
	if next == nil {
		return time.Time{}
	}
	t := next(p.now)
	if c, ok := p.sched.Confirm[target]; ok && c.Before(t) {
		t = later(c, p.now)
	}
	for range k - 1 {
		if t.IsZero() {
			return t
		}
		n := next(t)
		if ce := p.sched.ConfirmEvery; ce > 0 && (n.IsZero() || t.Add(ce).Before(n)) {
			n = t.Add(ce)
		}
		t = n
	}
	return t
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// roundAtOrAfter is the first probe round after now that is at or after
// t; zero without a schedule.
func (p planner) roundAtOrAfter(t time.Time) time.Time {
	if p.sched.Next == nil {
		return time.Time{}
	}
	if !t.After(p.now) {
		return p.sched.Next(p.now)
	}
	return p.sched.Next(t.Add(-time.Nanosecond))
}

// scheduledAt estimates when the round that saw ts come up was due: the
// end of that probe (UpSince) less the time it took.
func scheduledAt(ts *TargetState) time.Time {
	for _, pr := range ts.Recent {
		if pr.At.Equal(ts.UpSince) {
			return ts.UpSince.Add(-pr.Latency)
		}
	}
	return ts.UpSince
}

func anyUp(st *ServiceState, targets []string) bool {
	for _, t := range targets {
		if st.Targets[t].Up {
			return true
		}
	}
	return false
}

func policyName(p AllDownPolicy) AllDownPolicy {
	if p == "" {
		return AllDownKeep
	}
	return p
}
