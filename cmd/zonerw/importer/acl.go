package importer

import (
	"cmp"
	"net/netip"
	"slices"
)

// transferACL is a zone's allow_transfer entries: a transfer is allowed
// when any one of them admits it; with none, every transfer is refused.
type transferACL struct {
	Entries []entry
	Srcs    []Src // the source lines it was made from, deny rules included
}

// entry is one allow_transfer entry: from From (the zero Prefix: any
// address), signed with Key ("" for none needed).
type entry struct {
	From netip.Prefix
	Key  string
	Src  Src
}

// keyed reports whether any entry needs a key.
func (a transferACL) keyed() bool {
	return slices.ContainsFunc(a.Entries, func(e entry) bool { return e.Key != "" })
}

// expressACL translates a zone's transfer rules, in the source's order:
// each allow rule becomes an entry per network it still allows once the
// deny rules are taken out. With ordered (BIND), a deny rule holds only
// against the rules after it (the first match wins); without (NSD), a
// deny rule beats every other. What the config cannot say is noted on s;
// the translation never allows a transfer the source refuses, except
// where a note says so.
func expressACL(s *setup, z zone, ordered bool) transferACL {
	allow, denies := applyDenies(s, z, ordered)
	var acl transferACL
	for _, r := range allow {
		ps := r.Prefixes
		if len(ps) == 0 && r.Key == "" {
			ps = anyAddress // an entry names from, key or both
		}
		if len(ps) == 0 {
			acl.add(entry{Key: r.Key, Src: r.Src})
		}
		for _, p := range ps {
			acl.add(entry{From: p, Key: r.Key, Src: r.Src})
		}
	}
	acl.Srcs = sources(allow, denies)
	return acl
}

// add appends e unless an entry already admits the same.
func (a *transferACL) add(e entry) {
	if !slices.ContainsFunc(a.Entries, func(o entry) bool { return o.From == e.From && o.Key == e.Key }) {
		a.Entries = append(a.Entries, e)
	}
}

// sources lists the lines of the rules used, in line order.
func sources(groups ...[]rule) []Src {
	var out []Src
	for _, g := range groups {
		for _, r := range g {
			out = append(out, r.Src)
		}
	}
	slices.SortStableFunc(out, func(a, b Src) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	return slices.Compact(out)
}

// applyDenies takes the deny rules' addresses out of the allow rules. It
// returns the allow rules left and the deny rules that took something.
func applyDenies(s *setup, z zone, ordered bool) (allow, used []rule) {
	var denies []rule
	if !ordered {
		for _, r := range z.Transfer {
			if r.Deny {
				denies = append(denies, r)
			}
		}
	}
	for _, r := range z.Transfer {
		if r.Deny {
			if r.Key != "" {
				s.note(r.Src, "zone %s: a refused key (!key %s) not translated: zonerw cannot refuse a key", z.Name, r.Key)
				continue
			}
			if ordered {
				denies = append(denies, r)
			}
			continue
		}
		ps := r.Prefixes
		if len(ps) == 0 {
			ps = anyAddress
		}
		for _, d := range denies {
			if next := subtractAll(ps, d.Prefixes); !samePrefixes(next, ps) {
				ps = next
				used = append(used, d)
			}
		}
		if len(ps) == 0 {
			continue
		}
		if len(r.Prefixes) == 0 && samePrefixes(ps, anyAddress) {
			ps = nil
		}
		allow = append(allow, rule{Prefixes: ps, Key: r.Key, Src: r.Src})
	}
	return allow, used
}

// subtractAll takes every prefix of out from every prefix of in.
func subtractAll(in, out []netip.Prefix) []netip.Prefix {
	for _, o := range out {
		var next []netip.Prefix
		for _, p := range in {
			next = append(next, subtract(p, o)...)
		}
		in = next
	}
	return in
}

// appendPrefixes adds the prefixes not already in list.
func appendPrefixes(list, add []netip.Prefix) []netip.Prefix {
	for _, p := range add {
		if !slices.Contains(list, p) {
			list = append(list, p)
		}
	}
	return list
}

// samePrefixes reports whether a and b hold the same prefixes.
func samePrefixes(a, b []netip.Prefix) bool {
	key := func(ps []netip.Prefix) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = p.String()
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(key(a), key(b))
}

// prefixText writes a host prefix as its address.
func prefixText(p netip.Prefix) string {
	if p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.String()
}
