package failover

import (
	"fmt"
	"slices"
	"strings"
)

// wantPool applies a pool's rules: serve every target that is up, in
// config order; while fewer than MinUp are up, keep members that went
// down until MinUp are served; when none is up, the all-down policy.
func (e *Engine) wantPool(svc *Service, st *ServiceState) choice {
	cur := serving(svc, st)
	var up []string
	for _, t := range svc.Targets {
		if st.Targets[t].Up {
			up = append(up, t)
		}
	}
	if len(up) == 0 {
		return poolAllDown(svc, st, cur)
	}
	var kept []string
	for _, t := range svc.Targets {
		if len(up)+len(kept) >= svc.MinUp {
			break
		}
		if !st.Targets[t].Up && slices.Contains(cur, t) {
			kept = append(kept, t)
		}
	}
	served := inOrder(svc.Targets, up, kept)
	kind, reason := poolReason(svc, st, cur, served, kept)
	return choice{active: served[0], members: served, kind: kind, reason: reason}
}

// poolAllDown is what a pool serves with every target down.
func poolAllDown(svc *Service, st *ServiceState, cur []string) choice {
	switch svc.AllDown {
	case AllDownFirst:
		first := svc.Targets[0]
		return choice{active: first, members: []string{first}, kind: DecisionAllDown, reason: "all targets down: policy first points at " + first}
	case AllDownAll:
		return choice{active: st.Active, all: true, kind: DecisionAllDown, reason: "all targets down: policy all serves every target"}
	}
	return choice{active: cur[0], members: cur, kind: DecisionAllDown, reason: "all targets down: policy keep stays on " + strings.Join(cur, ",")}
}

// poolReason explains a change of a pool's members from cur to served.
func poolReason(svc *Service, st *ServiceState, cur, served, kept []string) (DecisionKind, string) {
	joined, left := diff(served, cur), diff(cur, served)
	var parts []string
	for _, t := range left {
		ts := st.Targets[t]
		if ts.Up {
			parts = append(parts, t+" left: no longer needed for min_up")
			continue
		}
		parts = append(parts, fmt.Sprintf("%s left after %d consecutive failures: %s", t, ts.Failures, ts.LastReason))
	}
	for _, t := range joined {
		parts = append(parts, fmt.Sprintf("%s joined after %d consecutive successes", t, st.Targets[t].Successes))
	}
	if len(kept) > 0 {
		parts = append(parts, fmt.Sprintf("%s kept although down (min_up %d)", strings.Join(kept, ","), svc.MinUp))
	}
	reason := "pool serves " + strings.Join(served, ",")
	if len(parts) > 0 {
		reason += ": " + strings.Join(parts, "; ")
	}
	if len(left) > 0 {
		return DecisionMemberDown, reason
	}
	return DecisionMemberUp, reason
}

// inOrder returns the targets of a and b in the order of order.
func inOrder(order []string, a, b []string) []string {
	var out []string
	for _, t := range order {
		if slices.Contains(a, t) || slices.Contains(b, t) {
			out = append(out, t)
		}
	}
	return out
}

// diff returns the elements of a that are not in b.
func diff(a, b []string) []string {
	var out []string
	for _, t := range a {
		if !slices.Contains(b, t) {
			out = append(out, t)
		}
	}
	return out
}
