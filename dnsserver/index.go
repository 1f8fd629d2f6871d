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
	// fast path.
	negSOAWire []byte
	// counts are the zone's query and transfer counters, shared by all
	// its versions.
	counts *zoneCounts
}

func newIndex(v *zones.Version, counts *zoneCounts) *zoneIndex {
	apex := v.ApexWire()
	ix := &zoneIndex{v: v, origin: v.Origin(), apex: apex, labels: zones.WireLabels(apex), negSOA: negativeSOA(v.SOA()), counts: counts}
	soa, _ := v.Apex().RRset(dns.TypeSOA)
	rec, _ := soa.Next(0)
	ix.negSOAWire = append([]byte(nil), rec...)
	binary.BigEndian.PutUint32(ix.negSOAWire[4:], ix.negSOA.Header().Ttl)
	return ix
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
