package dnsserver

import (
	"slices"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

// delta is the difference between two consecutive versions of a zone, as
// IXFR sends it. The SOA records are kept apart from the changes.
type delta struct {
	from, to       *dns.SOA
	deleted, added []dns.RR
}

// makeDelta is the change from old to new.
func makeDelta(old, new *zones.Zone) delta {
	del, add := zones.Diff(old, new)
	return delta{from: old.SOA, to: new.SOA, deleted: withoutSOA(del), added: withoutSOA(add)}
}

// withoutSOA returns the records of rrs that are not SOA, in a new slice.
func withoutSOA(rrs []dns.RR) []dns.RR {
	out := make([]dns.RR, 0, len(rrs))
	for _, rr := range rrs {
		if rr.Header().Rrtype != dns.TypeSOA {
			out = append(out, rr)
		}
	}
	return out
}

// appendDelta returns a new journal: j (left unmodified) plus d, with the
// oldest changes dropped while there are more than limit, or while they
// hold more records than the zone itself (an AXFR would then be cheaper).
func appendDelta(j []delta, d delta, limit, zoneSize int) []delta {
	out := append(slices.Clip(j), d)
	for len(out) > 0 && (len(out) > limit || journalRecords(out) > zoneSize) {
		out = out[1:]
	}
	return out
}

func journalRecords(j []delta) int {
	n := 0
	for _, d := range j {
		n += 2 + len(d.deleted) + len(d.added)
	}
	return n
}

// validJournal reports whether j is a chain of changes ending at serial.
func validJournal(j []delta, serial uint32) bool {
	for i := 1; i < len(j); i++ {
		if j[i-1].to.Serial != j[i].from.Serial {
			return false
		}
	}
	return len(j) == 0 || j[len(j)-1].to.Serial == serial
}
