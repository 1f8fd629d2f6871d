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
		for j, cidr := range z.AllowTransfer {
			if _, err := netip.ParsePrefix(cidr); err != nil {
				if _, aerr := netip.ParseAddr(cidr); aerr != nil {
					add(l.errorf(at("zones", i, "allow_transfer", j), "%q is neither an address nor a CIDR prefix", cidr))
				}
			}
		}
		for j, k := range z.TransferKeys {
			if !keys[k] {
				add(l.errorf(at("zones", i, "transfer_keys", j), "no key named %q under keys", k))
			}
		}
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
