package failover

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// choice is what the rules ask a service to serve.
type choice struct {
	active  string
	all     bool     // every target, under the all-down policy "all"
	members []string // a pool's members (active is the first); nil otherwise
	kind    DecisionKind
	reason  string
}

// key names a choice for comparing: the target, a pool's members joined
// by ",", or "*" for every target.
func (c choice) key() string {
	switch {
	case c.all:
		return "*"
	case c.members != nil:
		return strings.Join(c.members, ",")
	}
	return c.active
}

// same reports whether the service already serves c.
func (c choice) same(st *ServiceState) bool {
	return c.active == st.Active && c.all == st.ServeAll && slices.Equal(c.members, st.Members)
}

// want applies the rules: the first target in config order that is up,
// except that while the current target is up a higher-priority one must
// have been up for FailbackDelay; when none is up, the all-down policy.
func (e *Engine) want(svc *Service, st *ServiceState, now time.Time) choice {
	if len(svc.Targets) == 0 {
		return choice{active: st.Active}
	}
	if svc.pool() {
		return e.wantPool(svc, st)
	}
	cur := st.Targets[st.Active]
	curUp := cur != nil && cur.Up && !st.ServeAll
	for _, t := range svc.Targets {
		ts := st.Targets[t]
		switch {
		case !ts.Up:
			continue
		case t == st.Active && curUp:
			return choice{active: t}
		case curUp && waiting(svc, ts, now):
			continue
		}
		kind, reason := e.reason(svc, st, t, now)
		return choice{active: t, kind: kind, reason: reason}
	}
	switch svc.AllDown {
	case AllDownFirst:
		return choice{active: svc.Targets[0], kind: DecisionAllDown, reason: "all targets down: policy first points at " + svc.Targets[0]}
	case AllDownAll:
		return choice{active: st.Active, all: true, kind: DecisionAllDown, reason: "all targets down: policy all serves every target"}
	}
	// keep: a change only when the policy was "all" before a reload.
	return choice{active: st.Active, kind: DecisionAllDown, reason: "all targets down: policy keep stays on " + st.Active}
}

// waiting reports whether a target that is up still has to wait out the
// failback delay. A target up from the start has waited long enough.
func waiting(svc *Service, ts *TargetState, now time.Time) bool {
	return svc.FailbackDelay > 0 && !ts.UpSince.IsZero() && now.Sub(ts.UpSince) < svc.FailbackDelay
}

// reason explains a move to target `to`: its kind, and words an operator
// can act on.
func (e *Engine) reason(svc *Service, st *ServiceState, to string, now time.Time) (DecisionKind, string) {
	if f := st.Targets[st.Active]; f != nil && !f.Up && !st.ServeAll {
		return DecisionTargetDown, fmt.Sprintf("%s down after %d consecutive failures: %s", st.Active, f.Failures, f.LastReason)
	}
	t := st.Targets[to]
	r := fmt.Sprintf("%s up after %d consecutive successes", to, t.Successes)
	if svc.FailbackDelay > 0 && !t.UpSince.IsZero() && !st.ServeAll {
		r += fmt.Sprintf(", up for %s (failback delay %s)", now.Sub(t.UpSince), svc.FailbackDelay)
	}
	return DecisionFailback, r
}
