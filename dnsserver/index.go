package dnsserver

import (
	"encoding/binary"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

// zoneIndex is one published version of a zone as the server reads it:
// the version (whose names and RRsets the lookups read in place) and what
// answering needs besides. It is never modified once published.
type zoneIndex struct {
	v      *zones.Version
	origin string // canonical presentation form of the apex
	apex   []byte // canonical wire form of the apex
	labels int    // labels of the apex
	negSOA dns.RR // the SOA with the RFC 2308 negative TTL
	// negSOAWire is negSOA in the RRset.Wire layout (no owner), for the
	// fast path, its MNAME and RNAME ending in a compression pointer
	// to the apex when they are below it: the fast path writes the
	// apex's offset in the reply at negSOAPtrs (0: no pointer).
	negSOAWire []byte
	negSOAPtrs [2]int
	// counts are the zone's query and transfer counters, shared by all
	// its versions.
	counts *zoneCounts
}

func newIndex(v *zones.Version, counts *zoneCounts) *zoneIndex {
	apex := v.ApexWire()
	ix := &zoneIndex{v: v, origin: v.Origin(), apex: apex, labels: zones.WireLabels(apex), negSOA: negativeSOA(v.SOA()), counts: counts}
	soa, _ := v.Apex().RRset(dns.TypeSOA)
	rec, _ := soa.Next(0)
	ix.negSOAWire, ix.negSOAPtrs = compressSOA(rec, apex)
	binary.BigEndian.PutUint32(ix.negSOAWire[4:], ix.negSOA.Header().Ttl)
	return ix
}

// compressSOA rewrites the SOA record rec (RRset.Wire layout: type,
// class, TTL, rdata length, rdata) so that its MNAME and RNAME, where
// they end in the apex (canonical wire), end in a two-byte compression
// pointer instead, to be filled in per reply; ptrs are the pointers'
// offsets in out (0 for a name written whole). NSD and Knot compress
// these names too: a negative answer is a third smaller.
func compressSOA(rec, apex []byte) (out []byte, ptrs [2]int) {
	const fixed = 10 // type, class, TTL, rdata length
	rdata := rec[fixed:]
	out = append(out, rec[:fixed]...)
	off := 0
	for i := range ptrs {
		end := off
		for end < len(rdata) && rdata[end] != 0 {
			end += 1 + int(rdata[end])
		}
		end++ // the root label
		name := rdata[off:end]
		if k := len(name) - len(apex); k >= 0 && labelStart(name, k) && equalFold(name[k:], apex) {
			out = append(out, name[:k]...)
			ptrs[i] = len(out)
			out = append(out, 0xc0, 0)
		} else {
			out = append(out, name...)
		}
		off = end
	}
	out = append(out, rdata[off:]...)
	binary.BigEndian.PutUint16(out[8:], uint16(len(out)-fixed))
	return out, ptrs
}

// equalFold reports whether the wire name a equals the canonical
// (lower-case) wire name b, ignoring the case of a's ASCII letters.
func equalFold(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i, c := range a {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != b[i] {
			return false
		}
	}
	return true
}

// labelStart reports whether a label of the wire name starts at offset k.
func labelStart(name []byte, k int) bool {
	off := 0
	for off < k {
		off += 1 + int(name[off])
	}
	return off == k
}

// soa is the version's SOA record.
func (ix *zoneIndex) soa() *dns.SOA { return ix.v.SOA() }

// serial is the version's serial.
func (ix *zoneIndex) serial() uint32 { return ix.v.Serial() }

// negativeSOA is a copy of soa whose TTL is the RFC 2308 negative TTL: the
// smaller of the SOA's own TTL and its MINIMUM field.
func negativeSOA(soa *dns.SOA) dns.RR {
	c := dns.Copy(soa)
	c.Header().Ttl = min(soa.Hdr.Ttl, soa.Minttl)
	return c
}
