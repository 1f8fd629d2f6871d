package zones

import (
	"bytes"
	"fmt"
	"net/netip"
	"slices"

	"github.com/miekg/dns"
)

// Version is one version of a zone as it is served: a Base, shared with
// the other versions of the same compile, and the RRsets of the dynamic
// owners (the apex with this version's SOA, and the names the template's
// markers fill). It is immutable once made; readers share it freely.
type Version struct {
	base   *Base
	soa    *dns.SOA // with this version's serial
	dyn    []dynNode
	dynSum sum256 // digest sum of the dynamic records, the SOA's serial zeroed
	// journal holds the differences that led to this version, oldest
	// first: what IXFR serves. It is part of the version so that a
	// transfer reads a consistent pair.
	journal []Delta
}

// dynNode is a dynamic owner's RRsets in one version, laid out as in the
// Base (sets end with a terminator).
type dynNode struct {
	sets []rrset
	data []byte
}

// Fill gives a slot's records for a new version: the addresses its marker
// stands for now (of the slot's family, in order) and the TTL to give them,
// 0 for the slot's own.
type Fill func(s Slot) (addrs []netip.Addr, ttl uint32, err error)

// NewVersion makes the version of base with the given serial, its slots
// filled by fill (nil when base has no slots). The journal is empty; see
// Next.
func NewVersion(base *Base, serial uint32, fill Fill) (*Version, error) {
	soa := dns.Copy(base.soa).(*dns.SOA)
	soa.Serial = serial
	v := &Version{base: base, soa: soa, dyn: make([]dynNode, len(base.dyn))}
	for i := range base.dyn {
		n, sum, err := base.makeDynamic(i, soa, fill)
		if err != nil {
			return nil, err
		}
		v.dyn[i] = n
		v.dynSum = v.dynSum.plus(sum)
	}
	return v, nil
}

// dynRecord is one record of a dynamic owner while it is assembled.
type dynRecord struct {
	rtype uint16
	ttl   uint32
	rdata []byte
}

// makeDynamic assembles dynamic owner i: the SOA (at the apex), its static
// RRsets, then the records of its slots, each merged into the RRset of
// its type, duplicates dropped. It returns the digest sum of the result.
func (b *Base) makeDynamic(i int, soa *dns.SOA, fill Fill) (dynNode, sum256, error) {
	d := &b.dyn[i]
	var recs []dynRecord
	if d.name == 0 {
		recs = append(recs, dynRecord{rtype: dns.TypeSOA, ttl: soa.Hdr.Ttl, rdata: RdataOf(soa)})
	}
	for k := range len(d.sets) - 1 {
		s := d.sets[k]
		for off, n := int(s.off), 0; n < int(s.count); n++ {
			_, ttl, rdata, next := recordAt(d.data, off)
			recs = append(recs, dynRecord{rtype: s.rtype, ttl: ttl, rdata: rdata})
			off = next
		}
	}
	for _, si := range d.slots {
		s := b.slots[si]
		if fill == nil {
			return dynNode{}, sum256{}, fmt.Errorf("zone %s: %s %s (line %d) needs a value and none was given", b.origin, s.Owner, dns.Type(s.Type), s.Line)
		}
		addrs, ttl, err := fill(s)
		if err != nil {
			return dynNode{}, sum256{}, err
		}
		if len(addrs) == 0 {
			return dynNode{}, sum256{}, fmt.Errorf("zone %s: %s %s (line %d): no address to serve", b.origin, s.Owner, dns.Type(s.Type), s.Line)
		}
		if ttl == 0 {
			ttl = s.TTL
		}
		for _, a := range addrs {
			rdata, err := addrRdata(s.Type, a)
			if err != nil {
				return dynNode{}, sum256{}, fmt.Errorf("zone %s: %s %s (line %d): %w", b.origin, s.Owner, dns.Type(s.Type), s.Line, err)
			}
			recs = append(recs, dynRecord{rtype: s.Type, ttl: ttl, rdata: rdata})
		}
	}
	return b.layout(d.name, d.order, recs)
}

// layout groups recs into RRsets (types in the given order, then any
// other in first-seen order, duplicates dropped) and sums their digest,
// the SOA's serial zeroed.
func (b *Base) layout(name uint32, order []uint16, recs []dynRecord) (dynNode, sum256, error) {
	types := make([]uint16, 0, len(order)+1)
	if name == 0 {
		types = append(types, dns.TypeSOA)
	}
	for _, t := range order {
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	for _, r := range recs {
		if !slices.Contains(types, r.rtype) {
			types = append(types, r.rtype)
		}
	}
	var n dynNode
	var sum sum256
	owner := b.names.name(name)
	for _, t := range types {
		set := rrset{rtype: t, off: uint32(len(n.data))}
		// One TTL for the RRset (RFC 2181 5.2): a marker record given a
		// failover TTL beside a static record of its type takes the
		// static one down with it, as a resolver would (the lowest).
		// (Signatures keep each its own: an RRSIG's TTL is that of the
		// RRset it covers.)
		ttl, seen := uint32(0), false
		for _, r := range recs {
			if r.rtype == t && (!seen || r.ttl < ttl) {
				ttl, seen = r.ttl, true
			}
		}
		for i, r := range recs {
			if r.rtype != t || slices.ContainsFunc(recs[:i], func(o dynRecord) bool {
				return o.rtype == t && (o.ttl == r.ttl || t != dns.TypeRRSIG) && bytes.Equal(o.rdata, r.rdata)
			}) {
				continue
			}
			if t != dns.TypeRRSIG {
				r.ttl = ttl
			}
			start := len(n.data)
			n.data = appendRecord(n.data, t, r.ttl, r.rdata)
			set.count++
			switch {
			case t == dns.TypeSOA:
				sum.add(recordHash(owner, soaWithoutSerial(n.data[start:])))
			case derivedType(t):
			default:
				sum.add(recordHash(owner, n.data[start:]))
			}
		}
		if set.count > maxRRset {
			return dynNode{}, sum256{}, fmt.Errorf("zone %s: more than %d %s records at %s", b.origin, maxRRset, dns.Type(t), WireNameText(owner))
		}
		n.sets = append(n.sets, set)
	}
	n.sets = append(n.sets, rrset{off: uint32(len(n.data))})
	return n, sum, nil
}

// soaWithoutSerial returns a copy of an SOA record (Base layout) with its
// serial set to 0, for digests that ignore the serial.
func soaWithoutSerial(rec []byte) []byte {
	c := slices.Clone(rec)
	// rdata is mname, rname, then serial: skip the two names.
	off := 10
	off += wireNameLen(c[off:])
	off += wireNameLen(c[off:])
	copy(c[off:off+4], []byte{0, 0, 0, 0})
	return c
}

// addrRdata is the rdata of an A or AAAA record for a.
func addrRdata(rtype uint16, a netip.Addr) ([]byte, error) {
	switch {
	case rtype == dns.TypeA && a.Unmap().Is4():
		b := a.Unmap().As4()
		return b[:], nil
	case rtype == dns.TypeAAAA && a.Is6() && !a.Is4In6() && a.Zone() == "":
		b := a.As16()
		return b[:], nil
	}
	return nil, fmt.Errorf("address %s does not fit a %s record", a, dns.Type(rtype))
}

// RdataOf is rr's rdata in uncompressed wire form.
func RdataOf(rr dns.RR) []byte {
	buf := make([]byte, dns.Len(rr)+maxWireName)
	n, err := dns.PackRR(dns.Copy(rr), buf, 0, nil, false)
	if err != nil {
		panic(fmt.Sprintf("zones: pack %v: %v", rr, err)) // records here were packed once already
	}
	off := wireNameLen(buf) + 10
	return buf[off:n]
}

// Serial is the version's SOA serial.
func (v *Version) Serial() uint32 { return v.soa.Serial }

// SOA is the version's SOA record; it must not be modified.
func (v *Version) SOA() *dns.SOA { return v.soa }

// Origin is the zone apex, canonical ("example.com.").
func (v *Version) Origin() string { return v.base.origin }

// Base is the version's static part.
func (v *Version) Base() *Base { return v.base }

// Journal is the list of changes that led to this version, oldest first;
// it must not be modified.
func (v *Version) Journal() []Delta { return v.journal }

// Digest identifies the version's content, its serial aside: two versions
// with the same records (in any order, owner case aside) have the same
// digest. Computing it costs nothing: it is kept as the version is made.
func (v *Version) Digest() string { return digestPrefix + v.base.staticSum.plus(v.dynSum).hex() }

// SameContent reports whether v and o hold the same records, serial aside.
func (v *Version) SameContent(o *Version) bool {
	return o != nil && v.base.staticSum.plus(v.dynSum) == o.base.staticSum.plus(o.dynSum)
}

// Records counts the version's records.
func (v *Version) Records() int {
	n := v.base.records
	for _, d := range v.dyn {
		for _, s := range d.sets[:len(d.sets)-1] {
			n += int(s.count)
		}
	}
	return n
}
