package failover

import (
	"fmt"
	"time"
)

// Service is one service as the engine sees it. The zero value of every
// rule field keeps the behaviour of the original script.
type Service struct {
	Name    string
	Targets []string // target names, highest priority first
	Rise    int      // consecutive successes before a down target counts as up
	Fall    int      // consecutive failures before an up target counts as down

	// FailbackDelay is how long a higher-priority target must have been up
	// (since it met Rise) before the service moves back to it while the
	// current target is still up. Zero moves back at once.
	FailbackDelay time.Duration

	// MaxSwitches and SwitchWindow form the flap governor: a switch that
	// would make more than MaxSwitches automatic switches within
	// SwitchWindow is refused and the service is held where it is.
	// Either one zero turns the governor off.
	MaxSwitches  int
	SwitchWindow time.Duration
	// FlapRelease says how a hold ends besides Unpin.
	FlapRelease FlapRelease

	// AllDown says what to serve when no target is up.
	AllDown AllDownPolicy

	// Mode says whether the service points at one target (ModeFailover,
	// the default) or serves every target that is up (ModePool).
	Mode Mode
	// MinUp, in a pool, is how many targets it keeps serving while at
	// least one is up: when fewer are up, members that went down stay in
	// until that many are served again. 0 and 1 keep none.
	MinUp int
}

// Mode says how a service uses its targets.
type Mode string

const (
	// ModeFailover (the default, also "") serves the first target in
	// config order that is up.
	ModeFailover Mode = "failover"
	// ModePool serves every target that is up, each one's addresses.
	ModePool Mode = "pool"
)

// ParseMode checks a config value; "" is ModeFailover.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case "":
		return ModeFailover, nil
	case ModeFailover, ModePool:
		return m, nil
	}
	return "", fmt.Errorf("mode %q: want failover or pool", s)
}

// pool reports whether the service serves every target that is up.
func (s *Service) pool() bool { return s.Mode == ModePool }

// AllDownPolicy says what a service serves while every target is down.
type AllDownPolicy string

const (
	// AllDownKeep (the default, also "") leaves the last active target.
	AllDownKeep AllDownPolicy = "keep"
	// AllDownFirst points the service at its first target.
	AllDownFirst AllDownPolicy = "first"
	// AllDownAll serves every target's address.
	AllDownAll AllDownPolicy = "all"
)

// FlapRelease says how a flap-governor hold ends.
type FlapRelease string

const (
	// FlapReleaseAuto (the default, also "") releases the hold once the
	// target the rules want has stayed the same for a whole SwitchWindow,
	// or on Unpin.
	FlapReleaseAuto FlapRelease = "auto"
	// FlapReleaseManual releases the hold only on Unpin.
	FlapReleaseManual FlapRelease = "manual"
)

// ParseAllDownPolicy checks a config value; "" is AllDownKeep.
func ParseAllDownPolicy(s string) (AllDownPolicy, error) {
	switch p := AllDownPolicy(s); p {
	case "":
		return AllDownKeep, nil
	case AllDownKeep, AllDownFirst, AllDownAll:
		return p, nil
	}
	return "", fmt.Errorf("all-down policy %q: want keep, first or all", s)
}

// ParseFlapRelease checks a config value; "" is FlapReleaseAuto.
func ParseFlapRelease(s string) (FlapRelease, error) {
	switch r := FlapRelease(s); r {
	case "":
		return FlapReleaseAuto, nil
	case FlapReleaseAuto, FlapReleaseManual:
		return r, nil
	}
	return "", fmt.Errorf("flap release %q: want auto or manual", s)
}

// governed reports whether the flap governor is on for the service.
func (s *Service) governed() bool { return s.MaxSwitches > 0 && s.SwitchWindow > 0 }

// rank is a target's position in config order, or -1.
func (s *Service) rank(target string) int {
	for i, t := range s.Targets {
		if t == target {
			return i
		}
	}
	return -1
}
