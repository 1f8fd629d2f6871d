package dnsserver

import (
	"maps"

	"github.com/miekg/dns"
)

// snapshot is every published zone at one moment. It is never modified:
// a publish builds a new one and swaps the pointer, so a query sees either
// the old version of a zone or the new one, never a mix.
type snapshot struct {
	zones map[string]*zoneIndex // by canonical origin
}

// zoneFor returns the served zone closest enclosing lname (canonical), or
// nil when lname is outside every served zone.
func (s *snapshot) zoneFor(lname string) *zoneIndex {
	for off, end := 0, false; !end; off, end = dns.NextLabel(lname, off) {
		if ix, ok := s.zones[lname[off:]]; ok {
			return ix
		}
	}
	return nil
}

// with returns a copy of s in which ix replaces its zone's previous version.
func (s *snapshot) with(ix *zoneIndex) *snapshot {
	next := &snapshot{zones: maps.Clone(s.zones)}
	if next.zones == nil {
		next.zones = make(map[string]*zoneIndex)
	}
	next.zones[ix.origin] = ix
	return next
}
