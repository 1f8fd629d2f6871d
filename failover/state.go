package failover

import (
	"slices"
	"time"
)

// TargetState is what is remembered about one target between runs.
type TargetState struct {
	// Up is the target's state after hysteresis. A target nobody has
	// probed yet counts as up, so a fresh install starts on the first target.
	Up bool `json:"up"`
	// UpSince is when the target last became up (met Rise); zero for a
	// target up from the start, which counts as up for long enough.
	UpSince time.Time `json:"up_since,omitzero"`
	// Successes and Failures count consecutive results; one resets the other.
	Successes int `json:"successes"`
	Failures  int `json:"failures"`
	// LastReason and LastProbe describe the most recent probe.
	LastReason string    `json:"last_reason,omitempty"`
	LastProbe  time.Time `json:"last_probe,omitzero"`
	// Recent holds the last RecentProbes results, oldest first, for
	// zonerw explain.
	Recent []Probe `json:"recent,omitempty"`
}

// RecentProbes is how many probe results each target remembers.
const RecentProbes = 10

// Probe is one remembered probe result.
type Probe struct {
	At      time.Time     `json:"at"`
	OK      bool          `json:"ok"`
	Reason  string        `json:"reason,omitempty"`
	Latency time.Duration `json:"latency_ns,omitempty"`
	// NotCounted marks a failure set aside because every witness failed
	// too (the checker looked cut off).
	NotCounted bool `json:"not_counted,omitempty"`
}

// Pin is an operator's hold of a service on one target.
type Pin struct {
	Target string    `json:"target"`
	Since  time.Time `json:"since"`
	Until  time.Time `json:"until,omitzero"` // zero: until Unpin
	Reason string    `json:"reason,omitempty"`
	// Drill marks a pin a failover drill made; From is the target the
	// drill moved the service away from. A real failure ends it early.
	Drill bool   `json:"drill,omitempty"`
	From  string `json:"from,omitempty"`
	// Probes and ProbesFailed count the drill target's probes while a
	// drill pin holds.
	Probes       int `json:"probes,omitempty"`
	ProbesFailed int `json:"probes_failed,omitempty"`
}

// expired reports whether the pin has reached its end at now.
func (p *Pin) expired(now time.Time) bool { return !p.Until.IsZero() && !now.Before(p.Until) }

// Hold is the flap governor's hold of a service on its current target.
type Hold struct {
	Since  time.Time `json:"since"`
	Reason string    `json:"reason"`
	// Want is what the rules ask for ("backup", or "*" for every target),
	// and WantSince since when they have asked for it without a change.
	Want      string    `json:"want"`
	WantSince time.Time `json:"want_since"`
}

// ServiceState is what is remembered about one service between runs.
type ServiceState struct {
	// Active names the target the service points at.
	Active string `json:"active"`
	// ActiveSince and Reason say when and why the service last moved;
	// zero and empty until it has moved once.
	ActiveSince time.Time `json:"active_since,omitzero"`
	Reason      string    `json:"reason,omitempty"`
	// ServeAll is set while the all-down policy "all" serves every target.
	ServeAll bool `json:"serve_all,omitempty"`
	// Members are the targets a pool serves, in config order (Active is
	// the first of them); empty in failover mode, while pinned and while
	// ServeAll is set.
	Members []string                `json:"members,omitempty"`
	Targets map[string]*TargetState `json:"targets"`
	Pin     *Pin                    `json:"pin,omitempty"`
	Hold    *Hold                   `json:"hold,omitempty"`
	// Switches are the times of recent automatic switches, for the flap
	// governor.
	Switches []time.Time `json:"switches,omitempty"`
	// IsolatedSince is when the checker last looked cut off (every
	// witness failing with a target); zero while it does not.
	// IsolatedRounds counts the rounds whose failures were set aside since,
	// and CleanRounds the rounds in a row since then where every target
	// answered.
	IsolatedSince  time.Time `json:"isolated_since,omitzero"`
	IsolatedRounds int       `json:"isolated_rounds,omitempty"`
	CleanRounds    int       `json:"clean_rounds,omitempty"`
	// LastDrill is the report of the service's last failover drill.
	LastDrill *DrillReport `json:"last_drill,omitempty"`
}

// State is every service's state, keyed by service name. It is a plain
// value so the caller can persist it as it likes.
type State map[string]*ServiceState

// clone is a deep copy.
func (s *ServiceState) clone() *ServiceState {
	c := *s
	c.Targets = make(map[string]*TargetState, len(s.Targets))
	for t, ts := range s.Targets {
		v := *ts
		v.Recent = slices.Clone(ts.Recent)
		c.Targets[t] = &v
	}
	if s.Pin != nil {
		p := *s.Pin
		c.Pin = &p
	}
	if s.Hold != nil {
		h := *s.Hold
		c.Hold = &h
	}
	c.Switches = slices.Clone(s.Switches)
	c.Members = slices.Clone(s.Members)
	if s.LastDrill != nil {
		c.LastDrill = s.LastDrill.clone()
	}
	return &c
}

// remember adds a result to the target's recent probes.
func (t *TargetState) remember(o Observation, counted bool) {
	p := Probe{At: o.At, OK: o.OK, Reason: o.Reason, Latency: o.Latency, NotCounted: !counted}
	if n := len(t.Recent); n >= RecentProbes {
		t.Recent = slices.Delete(t.Recent, 0, n-RecentProbes+1)
	}
	t.Recent = append(t.Recent, p)
}

// observe applies one probe result to a target's counters and reports
// whether the target changed between up and down.
func (t *TargetState) observe(o Observation, rise, fall int) bool {
	t.remember(o, true)
	ok := o.OK
	t.LastReason, t.LastProbe = o.Reason, o.At
	if ok {
		t.Successes++
		t.Failures = 0
		if !t.Up && t.Successes >= rise {
			t.Up, t.UpSince = true, o.At
			return true
		}
		return false
	}
	t.Failures++
	t.Successes = 0
	if t.Up && t.Failures >= fall {
		t.Up, t.UpSince = false, time.Time{}
		return true
	}
	return false
}

// unconfirmed reports whether the target's last counted result disagrees
// with its state: a failure of a target that is up, a success of one that
// is down, not yet enough for fall or rise.
func (t *TargetState) unconfirmed() bool {
	return t.Up && t.Failures > 0 || !t.Up && t.Successes > 0
}

// Serves reports whether the service, in this state, serves target: its
// active one, one of a pool's members, or any under ServeAll.
func (s *ServiceState) Serves(target string) bool {
	switch {
	case s.ServeAll:
		return s.Targets[target] != nil
	case len(s.Members) > 0:
		return slices.Contains(s.Members, target)
	}
	return s.Active == target
}
