package failover

import "time"

// TargetState is what is remembered about one target between runs.
type TargetState struct {
	// Up is the target's state after hysteresis. A target nobody has
	// probed yet counts as up, so a fresh install starts on the first target.
	Up bool `json:"up"`
	// Successes and Failures count consecutive results; one resets the other.
	Successes int `json:"successes"`
	Failures  int `json:"failures"`
	// LastReason and LastProbe describe the most recent probe.
	LastReason string    `json:"last_reason,omitempty"`
	LastProbe  time.Time `json:"last_probe,omitzero"`
}

// ServiceState is what is remembered about one service between runs.
type ServiceState struct {
	// Active names the target the service points at.
	Active  string                  `json:"active"`
	Targets map[string]*TargetState `json:"targets"`
}

// State is every service's state, keyed by service name. It is a plain
// value so the caller can persist it as it likes.
type State map[string]*ServiceState

// observe applies one probe result to a target's counters and reports
// whether the target changed between up and down.
func (t *TargetState) observe(ok bool, reason string, at time.Time, rise, fall int) bool {
	t.LastReason, t.LastProbe = reason, at
	if ok {
		t.Successes++
		t.Failures = 0
		if !t.Up && t.Successes >= rise {
			t.Up = true
			return true
		}
		return false
	}
	t.Failures++
	t.Successes = 0
	if t.Up && t.Failures >= fall {
		t.Up = false
		return true
	}
	return false
}
