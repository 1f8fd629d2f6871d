package importer

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"
)

// transferACL is what zonerw's config can say about who may transfer a
// zone: addresses (allow_transfer) and keys (transfer_keys); with both a
// transfer needs one of each, with neither every transfer is refused.
type transferACL struct {
	Prefixes []netip.Prefix
	Keys     []string
	Srcs     []Src // the source lines it was made from
}

// expressACL translates a zone's transfer rules, in the source's order.
// With ordered (BIND), a deny rule holds only against the rules after it
// (the first match wins); without (NSD), a deny rule beats every other.
// What the config cannot say is noted on s; the translation never allows
// a transfer the source refuses, except where a note says so.
func expressACL(s *setup, z zone, ordered bool) transferACL {
	allow, denies := applyDenies(s, z, ordered)
	var open, keyed []rule
	for _, r := range allow {
		if r.Key == "" {
			open = append(open, r)
		} else {
			keyed = append(keyed, r)
		}
	}
	switch {
	case len(keyed) == 0:
		var acl transferACL
		for _, r := range open {
			acl.Prefixes = appendPrefixes(acl.Prefixes, r.Prefixes)
		}
		acl.Srcs = sources(open, denies)
		return acl
	case len(open) > 0:
		for _, r := range open {
			s.note(r.Src, "zone %s: unsigned transfers from %s not translated: beside signed ones zonerw cannot allow them yet (with allow_transfer and transfer_keys both set, a transfer needs both); add them by hand when it can", z.Name, prefixList(r.Prefixes))
		}
	}
	acl := keyedACL(s, z, keyed)
	acl.Srcs = sources(keyed, denies)
	return acl
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

// keyedACL translates rules that all need a key.
func keyedACL(s *setup, z zone, keyed []rule) transferACL {
	var acl transferACL
	byKey := map[string][]netip.Prefix{}
	anyAddr := true
	for _, r := range keyed {
		if !slices.Contains(acl.Keys, r.Key) {
			acl.Keys = append(acl.Keys, r.Key)
		}
		ps := r.Prefixes
		if len(ps) == 0 {
			ps = anyAddress
		} else {
			anyAddr = false
		}
		byKey[r.Key] = appendPrefixes(byKey[r.Key], ps)
		acl.Prefixes = appendPrefixes(acl.Prefixes, ps)
	}
	if anyAddr || samePrefixes(acl.Prefixes, anyAddress) {
		acl.Prefixes = nil
		return acl
	}
	for _, r := range keyed {
		if !samePrefixes(byKey[r.Key], acl.Prefixes) {
			s.note(r.Src, "zone %s: key %s is allowed from %s only; zonerw takes any of the keys %s from any of %s (its keys and addresses are not paired)",
				z.Name, r.Key, prefixList(byKey[r.Key]), strings.Join(acl.Keys, ", "), prefixList(acl.Prefixes))
			break
		}
	}
	return acl
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

// prefixList prints prefixes for a note, "any address" for none.
func prefixList(ps []netip.Prefix) string {
	if len(ps) == 0 || samePrefixes(ps, anyAddress) {
		return "any address"
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = prefixText(p)
	}
	return strings.Join(out, ", ")
}

// prefixText writes a host prefix as its address.
func prefixText(p netip.Prefix) string {
	if p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.String()
}
