package zones

import (
	"github.com/miekg/dns"
)

// Base is the part of a zone that failover decisions never change, in a
// compact form: every owner name once, each RRset's records back to back
// in wire form. It is built once per template compile (a load, a reload,
// a --force) by a Builder, is immutable afterwards, and is shared by every
// Version made from it.
//
// Two kinds of owner are told apart. A static owner's RRsets live in the
// Base. A dynamic owner is the apex (its SOA serial changes with every
// version) or a name holding a Slot (records a template marker renders);
// its RRsets live in each Version, merged from its static records here and
// its slots' records there. A failover decision therefore costs the size
// of the dynamic owners, not of the zone.
type Base struct {
	origin string // canonical presentation form, "example.com."
	soa    *dns.SOA
	names  *nameTable // name 0 is the apex
	owners []owner    // by name index
	sets   []rrset    // static owners' RRsets, owner after owner, then a terminator
	data   []byte     // their records, see rrset
	dyn    []dynStatic
	slots  []Slot
	// staticSum is the digest sum of every record at a static owner.
	staticSum sum256
	// records counts the records at static owners.
	records int
	// cuts is set when some owner below the apex holds NS records.
	cuts bool
	// denial orders the NSEC and NSEC3 owners, made on first use (denial.go).
	denial denialOnce
}

// owner is one name of a zone.
type owner struct {
	// first is, for a static owner, the index in Base.sets of its first
	// RRset; for a dynamic owner, its index in Base.dyn and Version.dyn.
	first uint32
	n     uint16 // RRsets; 0 for an empty non-terminal
	flags uint16
}

// Owner flags.
const (
	flagDynamic   uint16 = 1 << iota // RRsets in the Version, not the Base
	flagCut                          // NS below the apex: a delegation point
	flagWildChild                    // "*." + this name exists
	flagInZone                       // a real owner or an empty non-terminal (always set)
	flagDNAME                        // holds a DNAME: the names below it are redirected
)

// rrset is one RRset. Its records are data[off:next.off], where next is the
// rrset that follows it (every run of rrsets ends with a terminator). Each
// record is: type (2 bytes), class (2), TTL (4), rdata length (2), rdata:
// a wire-format resource record without its owner name.
type rrset struct {
	rtype uint16
	count uint16
	off   uint32
}

// dynStatic is a dynamic owner's part in the Base: its name, its static
// RRsets (for the apex, every one but the SOA) and its slots.
type dynStatic struct {
	name  uint32
	sets  []rrset // with terminator
	data  []byte
	slots []int    // indexes into Base.slots
	order []uint16 // its types in zone order, the slots' included
}

// Slot is one record of a template written with a marker: its records are
// made anew for every version from the addresses the marker stands for.
type Slot struct {
	Owner string // presentation form, as parsed
	Type  uint16 // dns.TypeA or dns.TypeAAAA
	TTL   uint32 // the TTL the template gives it
	Key   string // what its values are found by (the compile's choice)
	Line  int    // where the template writes it
	name  uint32 // owner name index
}

// Origin is the zone apex, canonical ("example.com.").
func (b *Base) Origin() string { return b.origin }

// Slots lists the base's slots; the slice must not be modified.
func (b *Base) Slots() []Slot { return b.slots }

// Names is the number of owner names, empty non-terminals included.
func (b *Base) Names() int { return b.names.len() }

// Bytes estimates the memory the Base holds.
func (b *Base) Bytes() int {
	n := b.names.bytes() + 8*cap(b.owners) + 8*cap(b.sets) + cap(b.data)
	for _, d := range b.dyn {
		n += 8*cap(d.sets) + cap(d.data)
	}
	return n
}

// recordAt reads the record that starts at data[off]: its type, TTL,
// rdata, and the offset just past it.
func recordAt(data []byte, off int) (rtype uint16, ttl uint32, rdata []byte, next int) {
	rtype = uint16(data[off])<<8 | uint16(data[off+1])
	ttl = uint32(data[off+4])<<24 | uint32(data[off+5])<<16 | uint32(data[off+6])<<8 | uint32(data[off+7])
	n := int(data[off+8])<<8 | int(data[off+9])
	return rtype, ttl, data[off+10 : off+10+n], off + 10 + n
}

// appendRecord appends one record in the layout of rrset.
func appendRecord(dst []byte, rtype uint16, ttl uint32, rdata []byte) []byte {
	dst = append(dst,
		byte(rtype>>8), byte(rtype), byte(dns.ClassINET>>8), byte(dns.ClassINET),
		byte(ttl>>24), byte(ttl>>16), byte(ttl>>8), byte(ttl),
		byte(len(rdata)>>8), byte(len(rdata)))
	return append(dst, rdata...)
}

// SOASerial is the serial of the SOA the zone was built with.
func (b *Base) SOASerial() uint32 { return b.soa.Serial }

// SOARRset is the SOA RRset a version with serial holds at the apex, as
// NewVersion lays it out: what a signer can sign before that version is
// made (see dnssec.Signed.Prepare).
func (b *Base) SOARRset(serial uint32) RRset {
	soa := dns.Copy(b.soa).(*dns.SOA)
	soa.Serial = serial
	return RRset{Type: dns.TypeSOA, Count: 1, Wire: appendRecord(nil, dns.TypeSOA, soa.Hdr.Ttl, RdataOf(soa))}
}

// ApexWire is the zone apex in canonical wire form.
func (b *Base) ApexWire() []byte { return b.names.name(0) }
