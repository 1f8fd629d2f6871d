package failover

import (
	"fmt"
	"slices"
	"strings"
)

// pool explains a pool the probes steer: which members it serves and
// why, and for each target the probes that would change the members.
func (p planner) pool() (string, []Move) {
	st, svc := p.st, p.svc
	cur := serving(svc, st)
	var down, kept []string
	for _, t := range svc.Targets {
		if st.Targets[t].Up {
			continue
		}
		if slices.Contains(cur, t) {
			kept = append(kept, t)
		} else {
			down = append(down, t)
		}
	}
	now := "the pool serves every target that is up: " + strings.Join(cur, ", ")
	switch {
	case allDown(st):
		now = fmt.Sprintf("every target is down; the all-down policy %s serves %s", policyName(svc.AllDown), strings.Join(cur, ", "))
	case len(kept) > 0:
		now += fmt.Sprintf("; %s kept although down, to serve at least min_up %d", strings.Join(kept, ", "), svc.MinUp)
	}
	if len(down) > 0 && !allDown(st) {
		now += "; down and left out: " + strings.Join(down, ", ")
	}
	var moves []Move
	for _, t := range svc.Targets {
		if m, ok := p.poolMove(t); ok {
			moves = append(moves, m)
		}
	}
	return now, moves
}

// poolMove is how the members would change should target t change state:
// fail until fall if it is up, pass until rise if it is down.
func (p planner) poolMove(t string) (Move, bool) {
	svc := p.svc
	sim := p.st.clone()
	ts := sim.Targets[t]
	var k int
	var cond string
	if ts.Up {
		k = max(svc.Fall-ts.Failures, 1)
		cond = fmt.Sprintf("%s fails %d more probe(s) in a row (fall %d)", t, k, max(svc.Fall, 1))
		ts.Up, ts.Failures, ts.Successes = false, max(svc.Fall, 1), 0
	} else {
		k = max(svc.Rise-ts.Successes, 1)
		cond = fmt.Sprintf("%s passes %d more probe(s) in a row (rise %d)", t, k, max(svc.Rise, 1))
		ts.Up, ts.Successes, ts.Failures = true, max(svc.Rise, 1), 0
	}
	w := p.e.wantPool(svc, sim)
	if w.same(p.st) {
		return Move{}, false
	}
	return Move{To: w.key(), If: cond, Rounds: k, Earliest: p.probes(t, k)}, true
}
