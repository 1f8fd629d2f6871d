package zones

import (
	"fmt"

	"github.com/miekg/dns"
)

// Builder turns parsed records into a Base. Records are added one at a
// time, as the parser yields them, so a zone of a million records never
// exists as a million dns.RR values at once. Finish validates the whole
// (see validate) and builds the Base.
type Builder struct {
	origin string
	apex   []byte // canonical wire form of origin
	file   string
	limit  int

	names *nameTable
	recs  []staged
	rdata []byte
	slots []Slot
	soa   *dns.SOA // the first SOA at the apex
	probs []problem
	pack  []byte // scratch buffer for PackRR
}

// staged is one added record, until Finish.
type staged struct {
	name  uint32
	rtype uint16
	rdlen uint16
	ttl   uint32
	off   uint32 // of its rdata in Builder.rdata
	line  uint32
	slot  int32 // index in Builder.slots, or -1 for a static record
}

// NewBuilder starts a zone for origin; file names the source in errors.
// sizeHint, the expected number of records, only sizes the first tables.
func NewBuilder(origin, file string, sizeHint int) (*Builder, error) {
	apex, err := normaliseOrigin(origin)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	w, err := wireName(apex)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	sizeHint = min(sizeHint, maxRecords)
	b := &Builder{origin: apex, apex: w, file: file, limit: maxRecords,
		names: newNameTable(sizeHint), pack: make([]byte, 1<<16+maxWireName+16),
		recs: make([]staged, 0, sizeHint), rdata: make([]byte, 0, 8*sizeHint)}
	b.names.add(w) // the apex is name 0
	return b, nil
}

// Add adds a record of the zone, found at line of the file.
func (b *Builder) Add(rr dns.RR, line int) error { return b.add(rr, line, -1) }

// AddSlot adds a record rendered from a template marker: it is validated
// with the zone, and becomes a Slot whose records each Version makes from
// the values found by key. It must be an A or AAAA record.
func (b *Builder) AddSlot(rr dns.RR, line int, key string) error {
	t := rr.Header().Rrtype
	if t != dns.TypeA && t != dns.TypeAAAA {
		return fmt.Errorf("%s:%d: %s %s: a marker record must be A or AAAA", b.file, line, rr.Header().Name, typeName(rr))
	}
	b.slots = append(b.slots, Slot{Owner: rr.Header().Name, Type: t, TTL: rr.Header().Ttl, Key: key, Line: line})
	return b.add(rr, line, int32(len(b.slots)-1))
}

func (b *Builder) add(rr dns.RR, line int, slot int32) error {
	h := rr.Header()
	p := problem{line: line, owner: h.Name, rtype: typeName(rr)}
	if h.Class != dns.ClassINET {
		p.what = fmt.Sprintf("class %s is not supported, only IN", dns.Class(h.Class))
		b.probs = append(b.probs, p)
		return nil
	}
	if notInZone[h.Rrtype] {
		p.what = fmt.Sprintf("type %s cannot appear in a zone", p.rtype)
		b.probs = append(b.probs, p)
		return nil
	}
	n, err := dns.PackRR(rr, b.pack, 0, nil, false)
	if err != nil {
		return fmt.Errorf("%s:%d: %s %s: cannot be encoded: %w", b.file, line, h.Name, typeName(rr), err)
	}
	nl := wireNameLen(b.pack[:n])
	if h.Name == "" || nl <= 0 || nl+10 > n {
		return fmt.Errorf("%s:%d: %s record without an owner name", b.file, line, typeName(rr))
	}
	owner := b.pack[:nl]
	LowerWire(owner)
	if !isSubWire(owner, b.apex) {
		p.what = "outside the zone " + b.origin
		b.probs = append(b.probs, p)
		return nil
	}
	if len(b.recs) == b.limit {
		return fmt.Errorf("%s:%d: more than %d records", b.file, line, b.limit)
	}
	if h.Rrtype == dns.TypeSOA {
		if len(owner) != len(b.apex) {
			p.what = "SOA record not at the zone apex " + b.origin
			b.probs = append(b.probs, p)
		} else if b.soa == nil {
			b.soa = dns.Copy(rr).(*dns.SOA)
		}
	}
	idx := b.addName(owner)
	rdata := b.pack[nl+10 : n]
	b.recs = append(b.recs, staged{name: idx, rtype: h.Rrtype, rdlen: uint16(len(rdata)), ttl: h.Ttl,
		off: uint32(len(b.rdata)), line: uint32(line), slot: slot})
	b.rdata = append(b.rdata, rdata...)
	if slot >= 0 {
		b.slots[slot].name = idx
	}
	return nil
}

// addName adds an owner name and, when it is new, its ancestors up to the
// apex that are not there yet (empty non-terminals until records come).
func (b *Builder) addName(w []byte) uint32 {
	idx, added := b.names.add(w)
	for p := WireParent(w); added && len(p) > len(b.apex); p = WireParent(p) {
		_, added = b.names.add(p)
	}
	return idx
}

// IsSubName reports whether the canonical wire name w is apex or below it.
func IsSubName(w, apex []byte) bool { return isSubWire(w, apex) }

// isSubWire reports whether the canonical wire name w is apex or below it.
func isSubWire(w, apex []byte) bool {
	for off := 0; len(w)-off >= len(apex); off += 1 + int(w[off]) {
		if len(w)-off == len(apex) {
			return string(w[off:]) == string(apex)
		}
		if w[off] == 0 {
			return false
		}
	}
	return false
}
