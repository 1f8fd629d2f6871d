package importer

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// nsdClauses are the top-level clauses of nsd.conf.
var nsdClauses = []string{"server", "zone", "key", "pattern", "remote-control", "tls-auth", "verify", "dnstap", "cookie-secret"}

// nsdClause is one clause and its attributes.
type nsdClause struct {
	Kind  string
	Src   Src
	Attrs []nsdAttr
}

// parseNSD reads an nsd.conf (and its includes) into a setup.
func parseNSD(file string) (*setup, error) {
	attrs, err := readNSD(file, filepath.Dir(file), 0)
	if err != nil {
		return nil, err
	}
	var clauses []nsdClause
	for _, a := range attrs {
		if len(a.Values) == 0 && slices.Contains(nsdClauses, a.Key) {
			clauses = append(clauses, nsdClause{Kind: a.Key, Src: a.Src})
			continue
		}
		if len(clauses) == 0 {
			return nil, fmt.Errorf("%s: %s: outside any clause (server:, zone:, key:, pattern: ...)", a.Src, a.Key)
		}
		c := &clauses[len(clauses)-1]
		c.Attrs = append(c.Attrs, a)
	}
	s := &setup{Source: "nsd", File: file}
	n := nsdReader{s: s, patterns: map[string]nsdClause{}, zonesDir: filepath.Dir(file)}
	for _, c := range clauses {
		if err := n.clause(c); err != nil {
			return nil, err
		}
	}
	if err := n.finish(); err != nil {
		return nil, err
	}
	return s, nil
}

// nsdReader turns clauses into the setup, in file order.
type nsdReader struct {
	s        *setup
	patterns map[string]nsdClause
	zonesDir string
	port     uint16
	addrs    []nsdAttr
	zones    []nsdClause
}

func (n *nsdReader) clause(c nsdClause) error {
	switch c.Kind {
	case "server":
		return n.server(c)
	case "key":
		k, err := nsdKey(c)
		if err != nil {
			return err
		}
		n.s.Keys = append(n.s.Keys, k)
	case "pattern":
		name, ok := attrValue(c, "name")
		if !ok {
			return fmt.Errorf("%s: pattern: without a name", c.Src)
		}
		n.patterns[name] = c
	case "zone":
		n.zones = append(n.zones, c)
	default:
		n.s.note(c.Src, "%s: clause not translated (zonerw has no counterpart)", c.Kind)
	}
	return nil
}

// server reads the listening addresses and zonesdir; other server options
// tune NSD itself and are listed in one note.
func (n *nsdReader) server(c nsdClause) error {
	var skipped []string
	for _, a := range c.Attrs {
		switch a.Key {
		case "zonesdir":
			if len(a.Values) == 1 {
				n.zonesDir = a.Values[0]
			}
		case "ip-address", "interface":
			n.addrs = append(n.addrs, a)
		case "port":
			p, err := strconv.ParseUint(strings.Join(a.Values, ""), 10, 16)
			if err != nil {
				return fmt.Errorf("%s: port: %q is not a port", a.Src, strings.Join(a.Values, " "))
			}
			n.port = uint16(p)
		default:
			skipped = append(skipped, a.Key)
		}
	}
	if len(skipped) > 0 {
		n.s.note(c.Src, "server: options not translated (they tune NSD itself): %s", strings.Join(slices.Compact(skipped), ", "))
	}
	return nil
}

// nsdKey reads a key: clause.
func nsdKey(c nsdClause) (Key, error) {
	k := Key{Src: c.Src}
	for _, a := range c.Attrs {
		v := strings.Join(a.Values, " ")
		switch a.Key {
		case "name":
			k.Name = v
		case "algorithm":
			k.Algorithm = v
		case "secret":
			k.Secret = v
		default:
			return k, fmt.Errorf("%s: key: unknown option %s", a.Src, a.Key)
		}
	}
	if k.Name == "" || k.Algorithm == "" || k.Secret == "" {
		return k, fmt.Errorf("%s: key: needs a name, an algorithm and a secret", c.Src)
	}
	return k, nil
}

// attrValue returns the single value of the first attribute named key.
func attrValue(c nsdClause, key string) (string, bool) {
	for _, a := range c.Attrs {
		if a.Key == key && len(a.Values) == 1 {
			return a.Values[0], true
		}
	}
	return "", false
}

// finish resolves what needs the whole file: listen addresses (the port
// may come after them) and the zones (zonesdir may come after them).
func (n *nsdReader) finish() error {
	port := n.port
	if port == 0 {
		port = 53
	}
	for _, a := range n.addrs {
		for _, v := range a.Values {
			ap, err := addrWithPort(v, "@", port)
			if err != nil {
				return fmt.Errorf("%s: %s: %w", a.Src, a.Key, err)
			}
			n.s.Listen = append(n.s.Listen, listen{Addr: ap, Src: a.Src})
		}
	}
	for _, c := range n.zones {
		if err := n.zone(c); err != nil {
			return err
		}
	}
	return nil
}

// addrWithPort reads "ip", or "ip" sep "port".
func addrWithPort(v, sep string, port uint16) (netip.AddrPort, error) {
	host, ps, hasPort := strings.Cut(v, sep)
	a, err := netip.ParseAddr(host)
	if err != nil || a.Zone() != "" {
		return netip.AddrPort{}, fmt.Errorf("%q is not an address", v)
	}
	if hasPort {
		p, err := strconv.ParseUint(ps, 10, 16)
		if err != nil || p == 0 {
			return netip.AddrPort{}, fmt.Errorf("%q: %q is not a port", v, ps)
		}
		port = uint16(p)
	}
	return netip.AddrPortFrom(a, port), nil
}
