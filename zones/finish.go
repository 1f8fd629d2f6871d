package zones

import (
	"bytes"
	"slices"

	"github.com/miekg/dns"
)

// group is one owner's records during Finish: its RRsets in the order
// their types first appear, each a list of staged record indexes, with
// duplicates dropped.
type group struct {
	types []uint16
	sets  [][]uint32 // staged record indexes, by position in types
}

func (g group) has(t uint16) bool { return slices.Contains(g.types, t) }

// set returns the records of type t, or nil.
func (g group) set(t uint16) []uint32 {
	if i := slices.Index(g.types, t); i >= 0 {
		return g.sets[i]
	}
	return nil
}

// Finish validates the zone and builds its Base:
//   - class IN only, no types that belong in messages (OPT, TSIG, ...);
//   - every owner inside the zone;
//   - exactly one SOA, at the apex, and NS records at the apex;
//   - no CNAME beside other data at its owner (RRSIG and NSEC aside), and
//     at most one CNAME;
//   - every name server inside the zone has an A or AAAA record in it.
//
// The problems are ordered by line and joined into one error listing the
// first maxProblems of them, each "file:line: owner TYPE: what". A record
// added twice is kept once. The Builder must not be used afterwards.
//
// It takes the owners one at a time, checking and laying out each in one
// step with the same scratch group, so that a zone of a million names
// costs no allocation per name.
func (b *Builder) Finish() (*Base, error) {
	order, starts := b.byName()
	n := b.names.len()
	base := &Base{origin: b.origin, soa: b.soa, names: b.names, owners: make([]owner, n), slots: b.slots,
		sets: make([]rrset, 0, n+1), data: make([]byte, 0, len(b.rdata)+10*len(b.recs))}
	dynOf := b.dynamicOwners()
	hasAddr := make([]bool, n)
	var nsRecs []uint32 // every NS record, checked once all owners are known
	var g group
	for i := range n {
		g.reset()
		b.fillGroup(&g, order[starts[i]:starts[i+1]])
		b.checkOwner(uint32(i), g)
		hasAddr[i] = g.has(dns.TypeA) || g.has(dns.TypeAAAA)
		nsRecs = append(nsRecs, g.set(dns.TypeNS)...)
		if len(b.probs) == 0 { // once invalid, only the checks go on
			b.emitOwner(base, uint32(i), &g, dynOf)
		}
	}
	b.checkNameServers(nsRecs, hasAddr)
	if len(b.probs) > 0 {
		return nil, joinProblems(b.file, b.probs)
	}
	base.sets = append(base.sets, rrset{off: uint32(len(base.data))})
	base.markWildcards()
	b.names.trim()
	b.recs, b.rdata, b.pack = nil, nil, nil
	return base, nil
}

// reset empties the group, keeping its buffers.
func (g *group) reset() {
	g.types = g.types[:0]
	for i := range g.sets {
		g.sets[i] = g.sets[i][:0]
	}
	g.sets = g.sets[:0]
}

// byName orders the staged records by owner name, keeping file order
// within a name (a counting sort, linear in the number of records). The
// records of name i are order[starts[i]:starts[i+1]].
func (b *Builder) byName() (order, starts []uint32) {
	starts = make([]uint32, b.names.len()+1)
	for _, r := range b.recs {
		starts[r.name+1]++
	}
	for i := 1; i < len(starts); i++ {
		starts[i] += starts[i-1]
	}
	next := slices.Clone(starts)
	order = make([]uint32, len(b.recs))
	for i, r := range b.recs {
		order[next[r.name]] = uint32(i)
		next[r.name]++
	}
	return order, starts
}

// fillGroup sorts one owner's records into RRsets and drops exact
// duplicates (same type, TTL and data). Slot records are kept as they
// are: a Version makes their data anew. A second SOA is kept even when it
// repeats the first, so that validation refuses it, as NSD, Knot and BIND
// refuse the file (with the serial marker, the first SOA's serial reads
// as 1 here, and a second SOA of serial 1 was dropped unseen).
func (b *Builder) fillGroup(g *group, run []uint32) {
	for _, ri := range run {
		r := b.recs[ri]
		k := slices.Index(g.types, r.rtype)
		if k < 0 {
			g.types = append(g.types, r.rtype)
			if len(g.sets) < cap(g.sets) {
				g.sets = g.sets[:len(g.sets)+1] // reuse the set's buffer
			} else {
				g.sets = append(g.sets, nil)
			}
			k = len(g.types) - 1
		}
		if r.slot < 0 && r.rtype != dns.TypeSOA && b.hasDuplicate(g.sets[k], r) {
			continue
		}
		g.sets[k] = append(g.sets[k], ri)
	}
}

// hasDuplicate reports whether set already holds a static record equal to r.
func (b *Builder) hasDuplicate(set []uint32, r staged) bool {
	for _, oi := range set {
		o := b.recs[oi]
		if o.slot < 0 && o.ttl == r.ttl && bytes.Equal(b.rdataOf(o), b.rdataOf(r)) {
			return true
		}
	}
	return false
}

func (b *Builder) rdataOf(r staged) []byte { return b.rdata[r.off : r.off+uint32(r.rdlen)] }

// emitOwner lays out owner i's RRsets in base: in the Base itself for a
// static owner (summing their digest), or as a dynamic part.
func (b *Builder) emitOwner(base *Base, i uint32, g *group, dynOf map[uint32][]int) {
	o := &base.owners[i]
	o.flags = flagInZone
	if i > 0 && g.has(dns.TypeNS) {
		o.flags |= flagCut
		base.cuts = true
	}
	if g.has(dns.TypeDNAME) {
		o.flags |= flagDNAME
	}
	if d, ok := dynOf[i]; ok {
		o.flags |= flagDynamic
		o.first = uint32(len(base.dyn))
		base.dyn = append(base.dyn, b.dynamicPart(i, *g, d))
		return
	}
	o.first, o.n = uint32(len(base.sets)), uint16(len(g.types))
	owner := b.names.name(i)
	for k, t := range g.types {
		base.sets = append(base.sets, rrset{rtype: t, count: uint16(len(g.sets[k])), off: uint32(len(base.data))})
		for _, ri := range g.sets[k] {
			r := b.recs[ri]
			start := len(base.data)
			base.data = appendRecord(base.data, t, r.ttl, b.rdataOf(r))
			if !derivedType(t) { // signatures and denial records are not content
				base.staticSum.add(recordHash(owner, base.data[start:]))
			}
			base.records++
		}
	}
}

// dynamicOwners maps each dynamic owner's name to its slots: the apex,
// and every name with a slot record.
func (b *Builder) dynamicOwners() map[uint32][]int {
	out := map[uint32][]int{0: nil}
	for i, s := range b.slots {
		out[s.name] = append(out[s.name], i)
	}
	return out
}

// dynamicPart keeps a dynamic owner's static RRsets (for the apex, all but
// the SOA) and its slots.
func (b *Builder) dynamicPart(name uint32, g group, slots []int) dynStatic {
	d := dynStatic{name: name, slots: slots, order: slices.Clone(g.types)}
	for k, t := range g.types {
		if t == dns.TypeSOA && name == 0 {
			continue
		}
		set := rrset{rtype: t, off: uint32(len(d.data))}
		for _, ri := range g.sets[k] {
			if r := b.recs[ri]; r.slot < 0 {
				d.data = appendRecord(d.data, t, r.ttl, b.rdataOf(r))
				set.count++
			}
		}
		if set.count > 0 {
			d.sets = append(d.sets, set)
		}
	}
	d.sets = append(d.sets, rrset{off: uint32(len(d.data))})
	return d
}

// markWildcards flags each name whose "*" child exists.
func (base *Base) markWildcards() {
	for i := range base.names.len() {
		if w := base.names.name(uint32(i)); isWildcardWire(w) {
			if p, ok := base.names.find(WireParent(w)); ok {
				base.owners[p].flags |= flagWildChild
			}
		}
	}
}
