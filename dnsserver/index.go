package dnsserver

import (
	"fmt"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

// zoneIndex is one published version of a zone, indexed for lookups. It is
// built once by buildIndex and never modified, so queries read it freely.
type zoneIndex struct {
	zone   *zones.Zone
	origin string // canonical (lower case) apex
	apex   *node
	nodes  map[string]*node // by canonical owner name, empty non-terminals included
	negSOA dns.RR           // the SOA with the RFC 2308 negative TTL
	axfr   [][]dns.RR       // the zone as AXFR messages: SOA first and last
	// journal holds the differences that lead to this version, oldest
	// first; it is part of the version so IXFR reads a consistent pair.
	journal []delta
	// counts are the zone's query and transfer counters, shared by all
	// its versions; Publish sets them.
	counts *zoneCounts
}

// node is one owner name of a zone.
type node struct {
	rrsets   map[uint16][]dns.RR
	order    []uint16 // record types in zone order, for the minimal ANY answer
	cut      bool     // NS below the apex: a delegation
	glue     []dns.RR // for a cut: addresses of its name servers held in the zone
	wildcard *node    // the "*" child, if any
}

// axfrChunk is the payload size (uncompressed) aimed at per AXFR message.
const axfrChunk = 16 * 1024

// buildIndex indexes z. It fails on records that do not belong to the zone.
func buildIndex(z *zones.Zone) (*zoneIndex, error) {
	if z == nil || z.SOA == nil {
		return nil, fmt.Errorf("zone has no soa")
	}
	origin := dns.CanonicalName(z.Origin)
	if dns.CanonicalName(z.SOA.Hdr.Name) != origin {
		return nil, fmt.Errorf("zone %s: soa owner %s is not the apex", origin, z.SOA.Hdr.Name)
	}
	ix := &zoneIndex{zone: z, origin: origin, nodes: make(map[string]*node)}
	ix.apex = ix.node(origin)
	ix.add(origin, z.SOA)
	for i, rr := range z.Records {
		h := rr.Header()
		name := dns.CanonicalName(h.Name)
		if !dns.IsSubDomain(origin, name) {
			return nil, fmt.Errorf("zone %s: record %d (%s %s) is outside the zone", origin, i+1, h.Name, dns.Type(h.Rrtype))
		}
		if h.Class != dns.ClassINET {
			return nil, fmt.Errorf("zone %s: record %d (%s %s) is not class IN", origin, i+1, h.Name, dns.Type(h.Rrtype))
		}
		if h.Rrtype != dns.TypeSOA {
			ix.add(name, rr)
		}
	}
	ix.link()
	ix.negSOA = negativeSOA(z.SOA)
	ix.axfr = chunk(axfrRecords(z), axfrChunk)
	return ix, nil
}

// node returns the node for name, creating it and its missing ancestors
// (empty non-terminals) up to the apex.
func (ix *zoneIndex) node(name string) *node {
	if n, ok := ix.nodes[name]; ok {
		return n
	}
	n := &node{rrsets: make(map[uint16][]dns.RR)}
	ix.nodes[name] = n
	if name != ix.origin {
		next, _ := dns.NextLabel(name, 0)
		ix.node(name[next:])
	}
	return n
}

func (ix *zoneIndex) add(name string, rr dns.RR) {
	n := ix.node(name)
	t := rr.Header().Rrtype
	if _, seen := n.rrsets[t]; !seen {
		n.order = append(n.order, t)
	}
	n.rrsets[t] = append(n.rrsets[t], rr)
}

// link marks delegations, gathers their glue and points each parent at its
// wildcard child.
func (ix *zoneIndex) link() {
	for name, n := range ix.nodes {
		if name != ix.origin && n.rrsets[dns.TypeNS] != nil {
			n.cut = true
			n.glue = ix.glueFor(n.rrsets[dns.TypeNS])
		}
		if len(name) > 2 && name[:2] == "*." {
			ix.nodes[name[2:]].wildcard = n
		}
	}
}

func (ix *zoneIndex) glueFor(ns []dns.RR) []dns.RR {
	var glue []dns.RR
	for _, rr := range ns {
		if t, ok := ix.nodes[dns.CanonicalName(rr.(*dns.NS).Ns)]; ok {
			glue = append(glue, t.rrsets[dns.TypeA]...)
			glue = append(glue, t.rrsets[dns.TypeAAAA]...)
		}
	}
	return glue
}

// negativeSOA is a copy of soa whose TTL is the RFC 2308 negative TTL: the
// smaller of the SOA's own TTL and its MINIMUM field.
func negativeSOA(soa *dns.SOA) dns.RR {
	c := dns.Copy(soa)
	c.Header().Ttl = min(soa.Hdr.Ttl, soa.Minttl)
	return c
}

// axfrRecords is the zone in AXFR order: SOA, every other record, SOA.
func axfrRecords(z *zones.Zone) []dns.RR {
	out := make([]dns.RR, 0, len(z.Records)+2)
	out = append(out, z.SOA)
	for _, rr := range z.Records {
		if rr.Header().Rrtype != dns.TypeSOA {
			out = append(out, rr)
		}
	}
	return append(out, z.SOA)
}

// chunk splits rrs into runs of at most about limit bytes (uncompressed).
func chunk(rrs []dns.RR, limit int) [][]dns.RR {
	var out [][]dns.RR
	start, size := 0, 0
	for i, rr := range rrs {
		l := dns.Len(rr)
		if size+l > limit && i > start {
			out = append(out, rrs[start:i:i])
			start, size = i, 0
		}
		size += l
	}
	if start < len(rrs) {
		out = append(out, rrs[start:])
	}
	return out
}
