package dnsserver

import (
	"maps"

	"github.com/miekg/dns"
)

// snapshot is every published zone at one moment. It is never modified:
// a publish builds a new one and swaps the pointer, so a query sees either
// the old version of a zone or the new one, never a mix.
type snapshot struct {
	zones  map[string]*zoneIndex // by canonical origin
	byWire map[string]*zoneIndex // by the origin's canonical wire form
}

// zoneFor returns the served zone closest enclosing lname (canonical) that
// answers qtype, or nil when lname is outside every served zone. The DS
// of a zone's apex is the parent's record (RFC 4035 section 3.1.4.1):
// when the parent is served too, it answers.
func (s *snapshot) zoneFor(lname string, qtype uint16) *zoneIndex {
	var apex *zoneIndex
	for off, end := 0, false; !end; off, end = dns.NextLabel(lname, off) {
		ix, ok := s.zones[lname[off:]]
		switch {
		case !ok:
		case off == 0 && qtype == dns.TypeDS && lname != ".":
			apex = ix // unless a parent is served
		default:
			return ix
		}
	}
	return apex
}

// zoneForWire is zoneFor for a canonical wire name.
func (s *snapshot) zoneForWire(w []byte) *zoneIndex {
	for off := 0; off < len(w); off += 1 + int(w[off]) {
		if ix, ok := s.byWire[string(w[off:])]; ok {
			return ix
		}
		if w[off] == 0 {
			break
		}
	}
	return nil
}

// with returns a copy of s in which ix replaces its zone's previous version.
func (s *snapshot) with(ix *zoneIndex) *snapshot {
	next := &snapshot{zones: maps.Clone(s.zones), byWire: maps.Clone(s.byWire)}
	if next.zones == nil {
		next.zones, next.byWire = make(map[string]*zoneIndex), make(map[string]*zoneIndex)
	}
	next.zones[ix.origin] = ix
	next.byWire[string(ix.apex)] = ix
	return next
}
