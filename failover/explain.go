package failover

import (
	"fmt"
	"slices"
	"time"
)

// Explanation says why a service is where it is and what could move it
// next: the answer to zonerw explain.
type Explanation struct {
	Service string    `json:"service"`
	At      time.Time `json:"at"` // the time the explanation was made for
	Active  string    `json:"active"`
	Serving []string  `json:"serving"`
	// ActiveSince and LastReason are when and why the service last moved
	// (zero and empty when it never has).
	ActiveSince time.Time `json:"active_since,omitzero"`
	LastReason  string    `json:"last_reason,omitempty"`
	// Now says, from the current state, why the rules keep the service
	// where it is.
	Now     string              `json:"now"`
	Rules   Rules               `json:"rules"`
	Targets []TargetExplanation `json:"targets"`
	Pin     *Pin                `json:"pin,omitempty"`
	Hold    *Hold               `json:"hold,omitempty"`
	// LastDrill is the report of the service's last failover drill.
	LastDrill *DrillReport `json:"last_drill,omitempty"`
	// IsolatedSince is when the checker began to look cut off; zero
	// while it does not.
	IsolatedSince time.Time `json:"isolated_since,omitzero"`
	// Governor counts the automatic switches within the flap governor's
	// window (nil when the governor is off).
	Governor *GovernorState `json:"governor,omitempty"`
	// Next lists what could move the service, earliest first.
	Next []Move `json:"next"`
	// NextSwitch is the earliest time any of Next could happen; zero when
	// it cannot be told (no schedule known, or only an operator can act).
	NextSwitch time.Time `json:"next_switch,omitzero"`
}

// Rules are the service's thresholds, as configured.
type Rules struct {
	Rise          int           `json:"rise"`
	Fall          int           `json:"fall"`
	FailbackDelay time.Duration `json:"failback_delay_ns"`
	MaxSwitches   int           `json:"max_switches"`
	SwitchWindow  time.Duration `json:"switch_window_ns"`
	FlapRelease   FlapRelease   `json:"flap_release"`
	AllDown       AllDownPolicy `json:"all_down"`
	Mode          Mode          `json:"mode,omitempty"`
	MinUp         int           `json:"min_up,omitempty"`
	ConfirmEvery  time.Duration `json:"confirm_every_ns,omitempty"`
}

// TargetExplanation is one target's state, in priority order.
type TargetExplanation struct {
	Name      string    `json:"name"`
	Priority  int       `json:"priority"` // 1 is the most preferred
	Up        bool      `json:"up"`
	UpSince   time.Time `json:"up_since,omitzero"`
	Successes int       `json:"successes"`
	Failures  int       `json:"failures"`
	Recent    []Probe   `json:"recent,omitempty"` // oldest first
}

// GovernorState is the flap governor's count at the explanation's time.
type GovernorState struct {
	Used   int           `json:"used"` // automatic switches within Window
	Max    int           `json:"max"`
	Window time.Duration `json:"window_ns"`
	// FreeAt is when the oldest counted switch leaves the window; zero
	// while switches are left.
	FreeAt time.Time `json:"free_at,omitzero"`
}

// Move is one way the service could move next.
type Move struct {
	// To is the target it would serve, a pool's members joined by ",",
	// or "*" for every target.
	To string `json:"to"`
	// If is the condition, in words.
	If string `json:"if"`
	// Rounds is how many probe rounds it takes at least (0: not a matter
	// of probes).
	Rounds int `json:"rounds,omitempty"`
	// Earliest is the earliest time it could happen; zero when it cannot
	// be told.
	Earliest time.Time `json:"earliest,omitzero"`
	// Held says the flap governor would hold the service instead of
	// moving, were the condition met at Earliest.
	Held bool `json:"held,omitempty"`
}

// NextRound gives the time of the service's first probe round strictly
// after t, for any t; nil when the schedule is not known (cron mode).
type NextRound func(after time.Time) time.Time

// Schedule is what is known of a service's coming probes.
type Schedule struct {
	// Next turns rounds into times; nil when the schedule is not known.
	Next NextRound
	// ConfirmEvery is the interval of confirmation probes (0: none; see
	// Job.ConfirmEvery), and Confirm the targets that have one planned,
	// with its time.
	ConfirmEvery time.Duration
	Confirm      map[string]time.Time
}

// Explain tells why a service is where it is at now and the earliest ways
// it could move; next, if not nil, turns rounds into times.
func (e *Engine) Explain(service string, now time.Time, next NextRound) (Explanation, error) {
	return e.ExplainSchedule(service, now, Schedule{Next: next})
}

// ExplainSchedule is Explain with all that is known of the probe times,
// confirmation probes included.
func (e *Engine) ExplainSchedule(service string, now time.Time, sched Schedule) (Explanation, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	svc := e.service(service)
	if svc == nil {
		return Explanation{}, fmt.Errorf("explain %s: no such service", service)
	}
	st := e.state[service].clone()
	x := Explanation{
		Service: service, At: now, Active: st.Active, Serving: serving(svc, st),
		ActiveSince: st.ActiveSince, LastReason: st.Reason,
		Rules: Rules{Rise: svc.Rise, Fall: svc.Fall, FailbackDelay: svc.FailbackDelay, MaxSwitches: svc.MaxSwitches,
			SwitchWindow: svc.SwitchWindow, FlapRelease: svc.FlapRelease, AllDown: svc.AllDown,
			Mode: svc.Mode, MinUp: svc.MinUp, ConfirmEvery: sched.ConfirmEvery},
		Pin: st.Pin, Hold: st.Hold, IsolatedSince: st.IsolatedSince, LastDrill: st.LastDrill,
	}
	for i, t := range svc.Targets {
		ts := st.Targets[t]
		x.Targets = append(x.Targets, TargetExplanation{Name: t, Priority: i + 1, Up: ts.Up, UpSince: ts.UpSince,
			Successes: ts.Successes, Failures: ts.Failures, Recent: ts.Recent})
	}
	if svc.governed() {
		x.Governor = governorState(svc, st, now)
	}
	p := planner{e: e, svc: svc, st: st, now: now, sched: sched}
	x.Now, x.Next = p.explain()
	if !st.IsolatedSince.IsZero() {
		x.Now += fmt.Sprintf("; the checker looks cut off since %s (every witness fails too), so failures are not counted",
			st.IsolatedSince.UTC().Format(time.RFC3339))
	}
	for i := range x.Next {
		// The governor judges automatic switches; an operator's moves and
		// the end of a pin or hold pass it.
		if m := &x.Next[i]; x.Governor != nil && m.Rounds > 0 {
			at := m.Earliest
			if at.IsZero() {
				at = now
			}
			m.Held = !governorState(svc, st, at).FreeAt.IsZero()
		}
	}
	slices.SortStableFunc(x.Next, func(a, b Move) int { return earlier(a.Earliest, b.Earliest) })
	for _, m := range x.Next {
		if !m.Held && !m.Earliest.IsZero() {
			x.NextSwitch = m.Earliest
			break
		}
	}
	return x, nil
}

// earlier orders times with the zero time (unknown) last.
func earlier(a, b time.Time) int {
	switch {
	case a.Equal(b):
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	}
	return a.Compare(b)
}

// governorState counts the automatic switches within the window at t.
func governorState(svc *Service, st *ServiceState, t time.Time) *GovernorState {
	g := &GovernorState{Max: svc.MaxSwitches, Window: svc.SwitchWindow}
	var in []time.Time
	for _, s := range st.Switches {
		if t.Sub(s) < svc.SwitchWindow {
			in = append(in, s)
		}
	}
	g.Used = len(in)
	if g.Used >= g.Max {
		// The budget frees up when enough switches leave the window.
		g.FreeAt = in[g.Used-g.Max].Add(svc.SwitchWindow)
	}
	return g
}
