package config

import (
	"errors"
	"net/netip"
	"path/filepath"
	"regexp"

	"github.com/miekg/dns"
)

// serviceName is what may follow "@IP:" in a template marker.
var serviceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// validate checks what decoding cannot and reports every problem at once.
func (c *Config) validate(l *locator) error {
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	names := map[string]bool{}
	defaults := 0
	for i, s := range c.Services {
		p := at("services", i)
		for _, err := range validateService(l, p, s) {
			add(err)
		}
		if names[s.Name] {
			add(l.errorf(append(p, "name"), "service %q is defined twice", s.Name))
		}
		names[s.Name] = true
		if s.Default {
			defaults++
			if defaults > 1 {
				add(l.errorf(append(p, "default"), "only one service may be the default"))
			}
		}
	}
	zoneNames := map[string]bool{}
	outputs := map[string]bool{}
	templates := map[string]string{} // the file, as sameFile sees it: the zone
	for _, z := range c.Zones {
		if z.Template != "" {
			templates[sameFile(l.file, z.Template)] = z.Name
		}
	}
	for i, z := range c.Zones {
		p := at("zones", i)
		for _, err := range validateZone(l, p, z, len(c.Server.Listen) > 0) {
			add(err)
		}
		if fq := dns.CanonicalName(z.Name); zoneNames[fq] {
			add(l.errorf(append(p, "name"), "zone %q is defined twice", z.Name))
		} else {
			zoneNames[fq] = true
		}
		if z.Output == "" {
			continue
		}
		out := sameFile(l.file, z.Output)
		if outputs[out] {
			add(l.errorf(append(p, "output"), "%q is the output of another zone too", z.Output))
		}
		outputs[out] = true
		if zone, ok := templates[out]; ok {
			add(l.errorf(append(p, "output"), "%q is the template of zone %s: writing it would replace its markers for good", z.Output, zone))
		}
	}
	if len(c.Zones) == 0 && len(c.Providers) == 0 {
		add(l.errorf(at("zones"), "at least one zone or provider is required"))
	}
	errs = append(errs, c.validateProviders(l, names)...)
	errs = append(errs, c.validateServer(l)...)
	errs = append(errs, c.validateWitnesses(l)...)
	errs = append(errs, c.validateSources(l)...)
	return errors.Join(errs...)
}

func validateService(l *locator, p []any, s Service) []error {
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	if !serviceName.MatchString(s.Name) {
		add(l.errorf(append(p, "name"), "%q is not a valid service name (letters, digits, '.', '_', '-')", s.Name))
	}
	if s.Rise < 1 {
		add(l.errorf(append(p, "rise"), "must be at least 1, not %d", s.Rise))
	}
	if s.Fall < 1 {
		add(l.errorf(append(p, "fall"), "must be at least 1, not %d", s.Fall))
	}
	errs = append(errs, validateCheck(l, append(p, "check"), s.Check)...)
	errs = append(errs, validateRules(l, p, s)...)
	if len(s.Targets) == 0 {
		add(l.errorf(append(p, "targets"), "at least one target is required"))
	}
	seen := map[string]bool{}
	for j, t := range s.Targets {
		tp := append(append([]any{}, p...), "targets", j)
		if t.Name == "" {
			add(l.errorf(append(tp, "name"), "a target needs a name"))
		} else if seen[t.Name] {
			add(l.errorf(append(tp, "name"), "target %q is defined twice", t.Name))
		}
		seen[t.Name] = true
		if t.IPv4 == "" && t.IPv6 == "" {
			add(l.errorf(tp, "target %q needs an ipv4 or ipv6 address", t.Name))
		}
		if t.IPv4 != "" {
			if a, err := netip.ParseAddr(t.IPv4); err != nil || !a.Is4() {
				add(l.errorf(append(tp, "ipv4"), "%q is not an IPv4 address", t.IPv4))
			}
		}
		if t.IPv6 != "" {
			if a, err := netip.ParseAddr(t.IPv6); err != nil || !a.Is6() || a.Is4In6() {
				add(l.errorf(append(tp, "ipv6"), "%q is not an IPv6 address", t.IPv6))
			}
		}
	}
	return errs
}

// validateZone checks one zone. The output file is optional when the
// embedded nameserver serves the zone (serving is true).
func validateZone(l *locator, p []any, z Zone, serving bool) []error {
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	if _, ok := dns.IsDomainName(z.Name); z.Name == "" || !ok {
		add(l.errorf(append(p, "name"), "%q is not a domain name", z.Name))
	}
	if z.Template == "" {
		add(l.errorf(append(p, "template"), "the template file is required"))
	}
	if z.Output == "" && !serving {
		add(l.errorf(append(p, "output"), "the output file is required (or serve the zone: server.listen)"))
	}
	switch z.Serial {
	case "dateserial", "unixtime", "increment":
	default:
		add(l.errorf(append(p, "serial"), "unknown serial policy %q (use dateserial, unixtime or increment)", z.Serial))
	}
	if len(z.Reload.Command) > 0 && z.Reload.Command[0] == "" {
		add(l.errorf(append(p, "reload", "command"), "the command's first element (the program) is empty"))
	}
	if z.Reload.Timeout < 0 {
		add(l.errorf(append(p, "reload", "timeout"), "must be positive"))
	}
	errs = append(errs, validateDNSSEC(l, append(p, "dnssec"), z.DNSSEC)...)
	return errs
}

// sameFile is the path p of the config file config as the file system
// resolves it: absolute (a relative p is from the config's directory),
// clean, its symbolic links followed as far as they exist, so that two
// spellings of one file (out/x.zone, ./out/../out/x.zone,
// /etc/zonerw/out/x.zone, a link to it) compare equal.
func sameFile(config, p string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(filepath.Dir(config), p)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real
	}
	// Not there yet: resolve the directory, which may exist.
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs))
	}
	return abs
}
