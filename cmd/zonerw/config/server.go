package config

import (
	"net/netip"
	"net/url"

	"github.com/robfig/cron/v3"
)

// scheduleParser accepts what README documents: five-field cron specs and
// descriptors such as "@every 2s" and "@hourly".
var scheduleParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a service's `every` spec.
func ParseSchedule(spec string) (cron.Schedule, error) { return scheduleParser.Parse(spec) }

// validateServer checks the daemon's settings: listeners, keys, and each
// zone's transfer policy and secondaries.
func (c *Config) validateServer(l *locator) []error {
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	for i, a := range c.Server.Listen {
		if _, err := netip.ParseAddrPort(a); err != nil {
			add(l.errorf(at("server", "listen", i), "%q is not an ip:port address", a))
		}
	}
	if c.Server.HTTP != "" {
		if _, err := netip.ParseAddrPort(c.Server.HTTP); err != nil {
			add(l.errorf(at("server", "http"), "%q is not an ip:port address", c.Server.HTTP))
		}
	}
	if c.Server.Coalesce < 0 {
		add(l.errorf(at("server", "coalesce"), "%s is negative", c.Server.Coalesce))
	}
	errs = append(errs, c.Server.validateLimits(l)...)
	for i, w := range c.Alerts.Webhooks {
		if u, err := url.Parse(w.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add(l.errorf(at("alerts", "webhooks", i, "url"), "not an http(s) URL"))
		}
	}
	for i, e := range c.Alerts.Exec {
		if len(e.Command) == 0 || e.Command[0] == "" {
			add(l.errorf(at("alerts", "exec", i, "command"), "the command is empty"))
		}
	}
	keys := map[string]bool{}
	for i, k := range c.Keys {
		if k.Name == "" {
			add(l.errorf(at("keys", i, "name"), "a key needs a name"))
		} else if keys[k.Name] {
			add(l.errorf(at("keys", i, "name"), "key %q is defined twice", k.Name))
		}
		keys[k.Name] = true
		if k.File == "" {
			add(l.errorf(at("keys", i, "file"), "the key file is required (tsig-keygen writes one)"))
		}
	}
	for i, z := range c.Zones {
		errs = append(errs, validateTransfer(l, i, z, keys)...)
		for j, s := range z.Secondaries {
			if _, err := netip.ParseAddrPort(s.Address); err != nil {
				add(l.errorf(at("zones", i, "secondaries", j, "address"), "%q is not an ip:port address", s.Address))
			}
			if s.Key != "" && !keys[s.Key] {
				add(l.errorf(at("zones", i, "secondaries", j, "key"), "no key named %q under keys", s.Key))
			}
		}
	}
	for i, s := range c.Services {
		if _, err := ParseSchedule(s.Every); err != nil {
			add(l.errorf(at("services", i, "every"), "%q is not a schedule: %v", s.Every, err))
		}
	}
	return errs
}

// validateLimits checks the nameserver's limits and identity answers.
func (s Server) validateLimits(l *locator) []error {
	var errs []error
	nonNegative := func(key string, v int64) {
		if v < 0 {
			errs = append(errs, l.errorf(at("server", key), "must not be negative"))
		}
	}
	nonNegative("rate_limit", int64(s.RateLimit))
	nonNegative("tcp_max_connections", int64(s.TCPMaxConnections))
	nonNegative("tcp_max_per_client", int64(s.TCPMaxPerClient))
	nonNegative("tcp_idle_timeout", int64(s.TCPIdleTimeout))
	if s.RateLimitSlip < 0 || s.RateLimitSlip > 10 {
		errs = append(errs, l.errorf(at("server", "rate_limit_slip"), "must be from 0 (drop every limited answer) to 10, not %d", s.RateLimitSlip))
	}
	for _, f := range []struct{ key, v string }{{"nsid", s.NSID}, {"identity", s.Identity}, {"version", s.Version}} {
		if len(f.v) > maxTXT {
			errs = append(errs, l.errorf(at("server", f.key), "is %d bytes; at most %d fit", len(f.v), maxTXT))
		}
	}
	return errs
}

// maxTXT is the longest string one TXT record string holds.
const maxTXT = 255
