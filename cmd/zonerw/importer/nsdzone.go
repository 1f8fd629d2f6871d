package importer

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// zone translates one zone: clause, its patterns included.
func (n *nsdReader) zone(c nsdClause) error {
	attrs, err := n.expand(c.Attrs, 0)
	if err != nil {
		return err
	}
	z := zone{Src: c.Src}
	secondary := false
	var skipped []nsdAttr
	for _, a := range attrs {
		v := strings.Join(a.Values, " ")
		switch a.Key {
		case "name":
			z.Name = strings.TrimSuffix(v, ".")
		case "zonefile":
			z.File, z.FileSrc = v, a.Src
		case "request-xfr":
			secondary = true
		case "notify":
			if nt, ok := n.notify(z.Name, a); ok {
				z.Notify = append(z.Notify, nt)
			}
		case "provide-xfr":
			if r, ok := n.provideXFR(z.Name, a); ok {
				z.Transfer = append(z.Transfer, r)
			}
			z.TransferSet = true
		default:
			skipped = append(skipped, a)
		}
	}
	switch {
	case z.Name == "":
		return fmt.Errorf("%s: zone: without a name", c.Src)
	case secondary:
		n.s.note(c.Src, "zone %s: a secondary zone (request-xfr), not imported: zonerw serves the zones it is primary for", z.Name)
		return nil
	case z.File == "":
		n.s.note(c.Src, "zone %s: no zonefile, not imported: zonerw needs the zone's file as its template", z.Name)
		return nil
	}
	z.File = n.zoneFile(z.Name, z.File)
	n.noteSkipped(z.Name, skipped)
	n.s.Zones = append(n.s.Zones, z)
	return nil
}

// expand replaces each include-pattern: by the pattern's attributes.
func (n *nsdReader) expand(attrs []nsdAttr, depth int) ([]nsdAttr, error) {
	var out []nsdAttr
	for _, a := range attrs {
		if a.Key != "include-pattern" {
			out = append(out, a)
			continue
		}
		p, ok := n.patterns[strings.Join(a.Values, " ")]
		if !ok {
			return nil, fmt.Errorf("%s: include-pattern: no pattern named %q", a.Src, strings.Join(a.Values, " "))
		}
		if depth >= maxIncludeDepth {
			return nil, fmt.Errorf("%s: include-pattern: nested more than %d deep", a.Src, maxIncludeDepth)
		}
		inner, err := n.expand(withoutName(p.Attrs), depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, inner...)
	}
	return out, nil
}

// withoutName drops a pattern's own name: attribute.
func withoutName(attrs []nsdAttr) []nsdAttr {
	return slices.DeleteFunc(slices.Clone(attrs), func(a nsdAttr) bool { return a.Key == "name" })
}

// noteSkipped lists a zone's options that have no zonerw counterpart.
func (n *nsdReader) noteSkipped(zoneName string, skipped []nsdAttr) {
	for _, a := range skipped {
		why := "zonerw has no counterpart"
		switch a.Key {
		case "allow-notify":
			why = "a primary needs none"
		case "notify-retry":
			why = "zonerw retries NOTIFY on its own schedule"
		case "outgoing-interface":
			why = "zonerw sends from the address the system picks"
		}
		n.s.note(a.Src, "zone %s: %s: %s not translated: %s", zoneName, a.Key, strings.Join(a.Values, " "), why)
	}
}

// notify reads "notify: ip[@port] key|NOKEY".
func (n *nsdReader) notify(zoneName string, a nsdAttr) (notify, bool) {
	if len(a.Values) < 2 {
		n.s.note(a.Src, "zone %s: notify: %s not translated: want an address and a key name or NOKEY", zoneName, strings.Join(a.Values, " "))
		return notify{}, false
	}
	ap, err := addrWithPort(a.Values[0], "@", 53)
	if err != nil {
		n.s.note(a.Src, "zone %s: notify: not translated: %v", zoneName, err)
		return notify{}, false
	}
	key, ok := n.keyRef(zoneName, a, a.Values[1])
	if !ok {
		return notify{}, false
	}
	if len(a.Values) > 2 {
		n.s.note(a.Src, "zone %s: notify: %s: only the address and key translated", zoneName, strings.Join(a.Values, " "))
	}
	return notify{Addr: ap, Key: key, Src: a.Src}, true
}

// provideXFR reads "provide-xfr: ip-spec key|NOKEY|BLOCKED".
func (n *nsdReader) provideXFR(zoneName string, a nsdAttr) (rule, bool) {
	if len(a.Values) < 2 {
		n.s.note(a.Src, "zone %s: provide-xfr: %s not translated: want an address and a key name, NOKEY or BLOCKED", zoneName, strings.Join(a.Values, " "))
		return rule{}, false
	}
	ps, err := parseIPSpec(a.Values[0])
	if err != nil {
		n.s.note(a.Src, "zone %s: provide-xfr: not translated: %v", zoneName, err)
		return rule{}, false
	}
	if len(a.Values) > 2 {
		n.s.note(a.Src, "zone %s: provide-xfr: %s: zonerw serves transfers over plain TCP; only the address and key translated", zoneName, strings.Join(a.Values, " "))
	}
	if a.Values[1] == "BLOCKED" {
		return rule{Prefixes: ps, Deny: true, Src: a.Src}, true
	}
	key, ok := n.keyRef(zoneName, a, a.Values[1])
	return rule{Prefixes: ps, Key: key, Src: a.Src}, ok
}

// keyRef checks a key name (NOKEY: none) against the keys read so far.
func (n *nsdReader) keyRef(zoneName string, a nsdAttr, name string) (string, bool) {
	if name == "NOKEY" {
		return "", true
	}
	if !slices.ContainsFunc(n.s.Keys, func(k Key) bool { return k.Name == name }) {
		n.s.note(a.Src, "zone %s: %s: %s not translated: no key: clause names %q", zoneName, a.Key, strings.Join(a.Values, " "), name)
		return "", false
	}
	return name, true
}

// zoneFile expands NSD's zonefile patterns (%s the zone name, %1 %2 %3 its
// first letters, %z %y %x its last labels) and puts a relative name under
// zonesdir.
func (n *nsdReader) zoneFile(zoneName, file string) string {
	labels := strings.Split(zoneName, ".")
	label := func(fromEnd int) string {
		if fromEnd <= len(labels) {
			return labels[len(labels)-fromEnd]
		}
		return ""
	}
	char := func(i int) string {
		if i < len(zoneName) {
			return zoneName[i : i+1]
		}
		return "."
	}
	r := strings.NewReplacer("%s", zoneName, "%1", char(0), "%2", char(1), "%3", char(2),
		"%z", label(1), "%y", label(2), "%x", label(3))
	file = r.Replace(file)
	if !filepath.IsAbs(file) {
		file = filepath.Join(n.zonesDir, file)
	}
	return file
}
