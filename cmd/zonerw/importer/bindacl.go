package importer

import (
	"fmt"
	"net/netip"
	"strings"
)

// zoneTransfer reads allow-transfer (the zone's, else options') into rules.
func (b *bindReader) zoneTransfer(z *zone, st stmt) {
	o, ok := b.option(st, "allow-transfer")
	if !ok {
		b.s.note(st.Src, "zone %s: no allow-transfer here or in options (BIND's default depends on its version); zonerw refuses every transfer until allow_transfer or transfer_keys says who may", z.Name)
		return
	}
	z.TransferSet, z.TransferSrc = true, o.Src
	if len(o.Words) > 1 {
		b.s.note(o.Src, "zone %s: allow-transfer %s not translated: zonerw serves transfers over plain TCP on its listen addresses", z.Name, wordsText(stmt{Words: o.Words[1:]}))
	}
	z.Transfer = b.aclRules(z.Name, o.Block, 0)
}

// aclRules turns an address match list into rules, in order. An element
// it cannot translate that refuses (a negation) ends the list there, so
// the translation never allows what BIND would refuse.
func (b *bindReader) aclRules(zoneName string, list []stmt, depth int) []rule {
	var out []rule
	for _, el := range list {
		neg, words := negation(el)
		switch {
		case len(words) == 2 && words[0].text == "key" && !el.HasBlock:
			out = append(out, rule{Key: strings.TrimSuffix(words[1].text, "."), Deny: neg, Src: el.Src})
			continue
		case !neg && depth < maxIncludeDepth && b.positiveList(el, words):
			out = append(out, b.aclRules(zoneName, b.inner(el, words), depth+1)...)
			continue
		}
		ps, err := b.addrSet(el, words, depth)
		if err != nil {
			if neg {
				b.s.note(el.Src, "zone %s: allow-transfer: %s not translated (%v); the elements after it are left out, which refuses what BIND might allow", zoneName, elementText(el), err)
				return out
			}
			b.s.note(el.Src, "zone %s: allow-transfer: %s not translated: %v", zoneName, elementText(el), err)
			continue
		}
		if len(ps) > 0 {
			out = append(out, rule{Prefixes: ps, Deny: neg, Src: el.Src})
		}
	}
	return out
}

// negation splits a leading '!' off an element.
func negation(el stmt) (bool, []btok) {
	if len(el.Words) > 0 && el.Words[0].is("!") {
		return true, el.Words[1:]
	}
	return false, el.Words
}

// inner is the list an element stands for: its { block } or the acl it names.
func (b *bindReader) inner(el stmt, words []btok) []stmt {
	if el.HasBlock {
		return el.Block
	}
	return b.acls[words[0].text].Block
}

// positiveList reports whether el is a nested list or acl name whose
// elements hold no negation, so it can be read in line.
func (b *bindReader) positiveList(el stmt, words []btok) bool {
	if el.HasBlock && len(words) == 0 {
		return !hasNegation(el.Block)
	}
	if len(words) == 1 && !el.HasBlock {
		if acl, ok := b.acls[words[0].text]; ok {
			return !hasNegation(acl.Block)
		}
	}
	return false
}

func hasNegation(list []stmt) bool {
	for _, el := range list {
		if neg, _ := negation(el); neg || (el.HasBlock && hasNegation(el.Block)) {
			return true
		}
	}
	return false
}

// addrSet is the set of addresses an element matches: an address, a
// prefix, any, none, localhost, or a nested list or acl of those
// (first match wins inside it). Keys inside are an error.
func (b *bindReader) addrSet(el stmt, words []btok, depth int) ([]netip.Prefix, error) {
	if el.HasBlock || (len(words) == 1 && b.acls[words[0].text].HasBlock) {
		if len(words) > 1 || depth >= maxIncludeDepth {
			return nil, fmt.Errorf("not an address match list")
		}
		return b.listAddrSet(b.inner(el, words), depth+1)
	}
	if len(words) != 1 {
		return nil, fmt.Errorf("not an address, a prefix or an acl name")
	}
	switch w := words[0].text; w {
	case "any":
		return anyAddress, nil
	case "none":
		return nil, nil
	case "localhost":
		b.s.note(el.Src, "localhost: translated as loopback (127.0.0.0/8, ::1); BIND also counts this host's other addresses")
		return []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}, nil
	case "localnets":
		return nil, fmt.Errorf("localnets depends on this host's interfaces")
	default:
		ps, err := parseIPSpec(w)
		if err != nil || strings.ContainsAny(w, "-&") {
			return nil, fmt.Errorf("%q is not an address, a prefix or an acl name", w)
		}
		return ps, nil
	}
}

// listAddrSet is the set of addresses for which a list's first matching
// element is a positive one.
func (b *bindReader) listAddrSet(list []stmt, depth int) ([]netip.Prefix, error) {
	var allowed, decided []netip.Prefix
	for _, el := range list {
		neg, words := negation(el)
		if len(words) > 0 && words[0].text == "key" {
			return nil, fmt.Errorf("a key inside a nested list")
		}
		ps, err := b.addrSet(el, words, depth)
		if err != nil {
			return nil, err
		}
		fresh := ps
		for _, d := range decided {
			fresh = subtractAll(fresh, []netip.Prefix{d})
		}
		if !neg {
			allowed = appendPrefixes(allowed, fresh)
		}
		decided = appendPrefixes(decided, ps)
	}
	return allowed, nil
}

// elementText prints an element for a note.
func elementText(el stmt) string { return wordsText(el) }
