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
