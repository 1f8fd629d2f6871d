package zones

import (
	"fmt"

	"github.com/miekg/dns"
)

// Node is one owner name of a version, as a nameserver reads it. It is a
// small value; looking one up allocates nothing.
type Node struct {
	sets  []rrset // ends with a terminator
	data  []byte
	flags uint16
	index uint32
}

// RRset is one RRset of a Node. Wire holds its records back to back, each
// a wire-format resource record without its owner name: type (2 bytes),
// class (2), TTL (4), rdata length (2), rdata. Prefix each with an owner
// name (or a compression pointer to one) and it can be sent as it is.
type RRset struct {
	Type  uint16
	Count int
	Wire  []byte
}

// Lookup returns the node of the canonical wire name w (see
// AppendWireName, LowerWire), empty non-terminals included.
func (v *Version) Lookup(w []byte) (Node, bool) {
	i, ok := v.base.names.find(w)
	if !ok {
		return Node{}, false
	}
	return v.node(i), true
}

// Apex is the node of the zone apex.
func (v *Version) Apex() Node { return v.node(0) }

// ApexWire is the canonical wire form of the zone apex.
func (v *Version) ApexWire() []byte { return v.base.names.name(0) }

func (v *Version) node(i uint32) Node {
	o := v.base.owners[i]
	if o.flags&flagDynamic != 0 {
		d := &v.dyn[o.first]
		return Node{sets: d.sets, data: d.data, flags: o.flags, index: i}
	}
	return Node{sets: v.base.sets[o.first : o.first+uint32(o.n)+1], data: v.base.data, flags: o.flags, index: i}
}

// Name is the node's canonical wire name; it must not be modified.
func (v *Version) Name(n Node) []byte { return v.base.names.name(n.index) }

// Empty reports an empty non-terminal: a name that exists only because
// names below it do.
func (n Node) Empty() bool { return len(n.sets) <= 1 }

// Cut reports a delegation point: NS records below the apex.
func (n Node) Cut() bool { return n.flags&flagCut != 0 }

// WildcardChild reports whether "*." followed by this name exists.
func (n Node) WildcardChild() bool { return n.flags&flagWildChild != 0 }

// DNAME reports whether the node holds a DNAME record (RFC 6672): every
// name below it is answered by substitution.
func (n Node) DNAME() bool { return n.flags&flagDNAME != 0 }

// Len is the number of RRsets.
func (n Node) Len() int { return max(0, len(n.sets)-1) }

// At returns the i-th RRset, in the order the zone lists their types.
func (n Node) At(i int) RRset {
	s := n.sets[i]
	return RRset{Type: s.rtype, Count: int(s.count), Wire: n.data[s.off:n.sets[i+1].off]}
}

// RRset returns the RRset of type t.
func (n Node) RRset(t uint16) (RRset, bool) {
	for i := range n.Len() {
		if n.sets[i].rtype == t {
			return n.At(i), true
		}
	}
	return RRset{}, false
}

// Next returns the record of r at off (start at 0): the record's bytes in
// the layout of RRset.Wire, and the offset of the next one (len(r.Wire)
// after the last).
func (r RRset) Next(off int) (rec []byte, next int) {
	n := int(r.Wire[off+8])<<8 | int(r.Wire[off+9])
	return r.Wire[off : off+10+n], off + 10 + n
}

// Records decodes the RRset as records owned by owner (a presentation
// name, written as it is into each record).
func (r RRset) Records(owner string) []dns.RR {
	out := make([]dns.RR, 0, r.Count)
	for off := 0; off < len(r.Wire); {
		rec, next := r.Next(off)
		out = append(out, decode(owner, rec))
		off = next
	}
	return out
}

// decode unpacks one record in the RRset.Wire layout, owned by owner.
func decode(owner string, rec []byte) dns.RR {
	rtype, ttl, rdata, _ := recordAt(rec, 0)
	h := dns.RR_Header{Name: owner, Rrtype: rtype, Class: dns.ClassINET, Ttl: ttl, Rdlength: uint16(len(rdata))}
	rr, _, err := dns.UnpackRRWithHeader(h, rec, 10)
	if err != nil {
		panic(fmt.Sprintf("zones: unpack a stored %s record: %v", dns.Type(rtype), err)) // packed by this package
	}
	return rr
}

// Each calls fn with every name of the version that holds records (empty
// non-terminals are skipped), the apex first, until fn returns false.
func (v *Version) Each(fn func(name []byte, n Node) bool) {
	for i := range v.base.names.len() {
		n := v.node(uint32(i))
		if n.Empty() {
			continue
		}
		if !fn(v.base.names.name(uint32(i)), n) {
			return
		}
	}
}

// AllRecords returns every record of the version, the SOA first. It
// allocates them all: for transfers, tests and small zones.
func (v *Version) AllRecords() []dns.RR {
	out := make([]dns.RR, 0, v.Records())
	v.Each(func(name []byte, n Node) bool {
		owner := WireNameText(name)
		for i := range n.Len() {
			out = append(out, n.At(i).Records(owner)...)
		}
		return true
	})
	return out
}
