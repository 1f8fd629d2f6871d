package config

import (
	"net/netip"
	"time"

	"github.com/zonerw/zonerw/failover"
)

// validateRules checks a service's failover rules.
func validateRules(l *locator, p []any, s Service) []error {
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	if s.FailbackDelay < 0 {
		add(l.errorf(append(p, "failback_delay"), "must not be negative"))
	}
	if s.MaxSwitches < 0 {
		add(l.errorf(append(p, "max_switches"), "must not be negative"))
	}
	if s.SwitchWindow < 0 {
		add(l.errorf(append(p, "switch_window"), "must not be negative"))
	}
	if (s.MaxSwitches > 0) != (s.SwitchWindow > 0) {
		add(l.errorf(append(p, "max_switches"), "the flap governor needs both max_switches and switch_window"))
	}
	if _, err := failover.ParseFlapRelease(s.FlapRelease); err != nil {
		add(l.errorf(append(p, "flap_release"), "%q: want auto or manual", s.FlapRelease))
	}
	if _, err := failover.ParseAllDownPolicy(s.AllDown); err != nil {
		add(l.errorf(append(p, "all_down"), "%q: want keep, first or all", s.AllDown))
	}
	if s.FailoverTTL < 0 || (s.FailoverTTL > 0 && s.FailoverTTL < time.Second) {
		add(l.errorf(append(p, "failover_ttl"), "must be at least 1s"))
	}
	if s.Confirm() < 0 {
		add(l.errorf(append(p, "confirm_every"), "must not be negative (0 turns confirmation probes off)"))
	}
	errs = append(errs, validateMode(l, p, s)...)
	return append(errs, validateDrill(l, p, s)...)
}

// validateMode checks mode and what only a pool takes.
func validateMode(l *locator, p []any, s Service) []error {
	mode, err := failover.ParseMode(s.Mode)
	if err != nil {
		return []error{l.errorf(append(p, "mode"), "%q: want failover or pool", s.Mode)}
	}
	var errs []error
	switch {
	case s.MinUp < 0:
		errs = append(errs, l.errorf(append(p, "min_up"), "must not be negative"))
	case s.MinUp > 0 && mode != failover.ModePool:
		errs = append(errs, l.errorf(append(p, "min_up"), "is for mode pool"))
	case s.MinUp > len(s.Targets) && len(s.Targets) > 0:
		errs = append(errs, l.errorf(append(p, "min_up"), "is %d, but the pool has only %d targets", s.MinUp, len(s.Targets)))
	}
	if mode == failover.ModePool && s.FailbackDelay > 0 {
		errs = append(errs, l.errorf(append(p, "failback_delay"), "is for mode failover: a pool takes a target back as soon as rise says it is up"))
	}
	return errs
}

// validateDrill checks a service's drill schedule.
func validateDrill(l *locator, p []any, s Service) []error {
	if s.Drill == nil {
		return nil
	}
	dp := append(append([]any{}, p...), "drill")
	var errs []error
	if _, err := ParseSchedule(s.Drill.Every); err != nil {
		errs = append(errs, l.errorf(append(dp, "every"), "%q is not a schedule: %v", s.Drill.Every, err))
	}
	if s.Drill.For < 0 {
		errs = append(errs, l.errorf(append(dp, "for"), "must be positive"))
	}
	if mode, _ := failover.ParseMode(s.Mode); mode == failover.ModePool {
		errs = append(errs, l.errorf(dp, "drills are for mode failover: a pool has no next target to move to"))
	} else if len(s.Targets) == 1 {
		errs = append(errs, l.errorf(dp, "a drill needs a second target to move to"))
	}
	return errs
}

// validateWitnesses checks the isolation guard's hosts.
func (c *Config) validateWitnesses(l *locator) []error {
	var errs []error
	for i, w := range c.Witnesses {
		if _, err := netip.ParseAddrPort(w.Address); err != nil {
			errs = append(errs, l.errorf(at("witnesses", i, "address"), "%q is not an ip:port address", w.Address))
		}
		if w.Timeout < 0 {
			errs = append(errs, l.errorf(at("witnesses", i, "timeout"), "must be positive"))
		}
	}
	return errs
}

// Failover is the service's rules as the failover engine wants them;
// Validate has checked every value.
func (s Service) Failover() failover.Service {
	fs := failover.Service{
		Name: s.Name, Rise: s.Rise, Fall: s.Fall,
		FailbackDelay: s.FailbackDelay, MaxSwitches: s.MaxSwitches, SwitchWindow: s.SwitchWindow,
	}
	fs.FlapRelease, _ = failover.ParseFlapRelease(s.FlapRelease)
	fs.AllDown, _ = failover.ParseAllDownPolicy(s.AllDown)
	fs.Mode, _ = failover.ParseMode(s.Mode)
	fs.MinUp = s.MinUp
	for _, t := range s.Targets {
		fs.Targets = append(fs.Targets, t.Name)
	}
	return fs
}
