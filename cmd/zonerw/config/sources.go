package config

import (
	"errors"
	"fmt"
	"net/netip"
)

// sourceAddr reads a source address: an IP address without a zone that a
// socket can be bound to.
func sourceAddr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	switch {
	case err != nil:
		return a, fmt.Errorf("%q is not an IP address", s)
	case a.Zone() != "":
		return a, fmt.Errorf("%q: give the address without a zone", s)
	case a.IsUnspecified() || a.IsMulticast():
		return a, fmt.Errorf("%s cannot be a source address", a)
	}
	return a.Unmap(), nil
}

// validateSources checks probe_source and every check's and witness's
// source: each is an address, and of the family of every address it is
// used to reach (an IPv4 source cannot reach an IPv6 target).
func (c *Config) validateSources(l *locator) []error {
	var errs []error
	if c.ProbeSource != "" {
		if _, err := sourceAddr(c.ProbeSource); err != nil {
			return []error{l.errorf(at("probe_source"), "%v", err)}
		}
	}
	for i, s := range c.Services {
		if s.Check.Source == "" || s.Check.Type == "exec" {
			continue
		}
		path, who := at("services", i, "check", "source"), ""
		if s.Check.sourceInherited {
			path, who = at("probe_source"), fmt.Sprintf("service %q: ", s.Name)
		}
		src, err := sourceAddr(s.Check.Source)
		if err != nil {
			errs = append(errs, l.errorf(path, "%v", err))
			continue
		}
		for _, t := range s.Targets {
			for _, a := range s.Check.ProbedAddrs(t) {
				if a.Is4() != src.Is4() {
					errs = append(errs, l.errorf(path, "%s%s is %s, but target %q is checked on %s address %s",
						who, src, family(src), t.Name, family(a), a))
				}
			}
		}
	}
	for i, w := range c.Witnesses {
		errs = append(errs, c.validateWitnessSource(l, i, w)...)
	}
	return errs
}

func (c *Config) validateWitnessSource(l *locator, i int, w Witness) []error {
	if w.Source == "" {
		return nil
	}
	path, who := at("witnesses", i, "source"), ""
	if w.sourceInherited {
		path, who = at("probe_source"), fmt.Sprintf("witness %q: ", w.Name)
	}
	src, err := sourceAddr(w.Source)
	if err != nil {
		return []error{l.errorf(path, "%v", err)}
	}
	if ap, err := netip.ParseAddrPort(w.Address); err == nil && ap.Addr().Unmap().Is4() != src.Is4() {
		return []error{l.errorf(path, "%s%s is %s, but the witness is at %s address %s", who, src, family(src), family(ap.Addr()), ap.Addr())}
	}
	return nil
}

func family(a netip.Addr) string {
	if a.Unmap().Is4() {
		return "IPv4"
	}
	return "IPv6"
}

// ProbedAddrs are the addresses of t that the check probes: with
// addresses "all" each of them, else its IPv4 address when it has one,
// its IPv6 address when not. The config has validated them.
func (ch Check) ProbedAddrs(t Target) []netip.Addr {
	var v4, v6 []netip.Addr
	if a, err := netip.ParseAddr(t.IPv4); err == nil {
		v4 = append(v4, a)
	}
	if a, err := netip.ParseAddr(t.IPv6); err == nil {
		v6 = append(v6, a)
	}
	switch {
	case ch.Addresses == AddressesAll:
		return append(v4, v6...)
	case len(v4) > 0:
		return v4
	}
	return v6
}

// VerifySourcesLocal checks that every source address is one of this
// host's: an address of one of its interfaces (local), or within a
// loopback prefix, all of which Linux answers (127.0.0.53 on lo's
// 127.0.0.1/8). The errors name the file, line and key. Load must have
// read the config.
func (c *Config) VerifySourcesLocal(local []netip.Prefix) error {
	var errs []error
	seen := map[string]bool{}
	check := func(path []any, s string) {
		key := pathString(path)
		if s == "" || seen[key] {
			return
		}
		seen[key] = true
		src, err := sourceAddr(s)
		if err == nil && !isLocal(src, local) {
			errs = append(errs, c.loc.errorf(path, "%s is not an address of this host, so no probe could leave from it", src))
		}
	}
	check(at("probe_source"), c.ProbeSource)
	for i, s := range c.Services {
		if !s.Check.sourceInherited {
			check(at("services", i, "check", "source"), s.Check.Source)
		}
	}
	for i, w := range c.Witnesses {
		if !w.sourceInherited {
			check(at("witnesses", i, "source"), w.Source)
		}
	}
	return errors.Join(errs...)
}

func isLocal(a netip.Addr, local []netip.Prefix) bool {
	for _, p := range local {
		if p.Addr().Unmap() == a || (p.Addr().IsLoopback() && p.Contains(a)) {
			return true
		}
	}
	return false
}
