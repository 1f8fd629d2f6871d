package zones

import (
	"bytes"
	"slices"
	"sync"

	"github.com/miekg/dns"
)

// denialOnce holds, made once per Base on first use, the names holding
// NSEC records and those holding NSEC3 records, each in canonical order
// (RFC 4034 section 6.1): what finds the record that proves a name or a
// type absent.
type denialOnce struct {
	once  sync.Once
	nsec  []uint32
	nsec3 []uint32
}

// denialIndex returns b's ordered NSEC and NSEC3 owners.
func (b *Base) denialIndex() *denialOnce {
	b.denial.once.Do(func() {
		for i := range b.names.len() {
			o := b.owners[i]
			types := b.ownerTypes(o)
			if slices.Contains(types, dns.TypeNSEC) {
				b.denial.nsec = append(b.denial.nsec, uint32(i))
			}
			if slices.Contains(types, dns.TypeNSEC3) {
				b.denial.nsec3 = append(b.denial.nsec3, uint32(i))
			}
		}
		byName := func(x, y uint32) int { return CompareWire(b.names.name(x), b.names.name(y)) }
		slices.SortFunc(b.denial.nsec, byName)
		slices.SortFunc(b.denial.nsec3, byName)
	})
	return &b.denial
}

// ownerTypes lists the types the Base holds at o (for a dynamic owner,
// its static ones and the types its slots fill, in zone order).
func (b *Base) ownerTypes(o owner) []uint16 {
	if o.flags&flagDynamic != 0 {
		return b.dyn[o.first].order
	}
	out := make([]uint16, 0, o.n)
	for _, s := range b.sets[o.first : o.first+uint32(o.n)] {
		out = append(out, s.rtype)
	}
	return out
}

// PrepareDenial makes the ordered index of NSEC and NSEC3 owners now
// rather than on the first query that needs it.
func (b *Base) PrepareDenial() { b.denialIndex() }

// Predecessor returns the owner holding records of type rtype (NSEC or
// NSEC3) that comes last at or before w in canonical order, wrapping
// round to the last one when w comes before them all: the NSEC that
// matches or covers w, or, with w a hashed owner name, the NSEC3 that
// matches or covers the name hashed. ok is false when the zone has none.
func (v *Version) Predecessor(w []byte, rtype uint16) (name []byte, n Node, ok bool) {
	ix := v.base.denialIndex()
	list := ix.nsec
	if rtype == dns.TypeNSEC3 {
		list = ix.nsec3
	}
	if len(list) == 0 {
		return nil, Node{}, false
	}
	i, found := slices.BinarySearchFunc(list, w, func(e uint32, t []byte) int { return CompareWire(v.base.names.name(e), t) })
	if !found {
		i-- // the last one before w
	}
	if i < 0 {
		i = len(list) - 1
	}
	return v.base.names.name(list[i]), v.node(list[i]), true
}

// CompareWire orders two canonical wire names as RFC 4034 section 6.1
// does: label by label from the root, each compared as octets, a name
// before its children.
func CompareWire(a, b []byte) int {
	var la, lb [128]int
	na, nb := labelStarts(a, la[:]), labelStarts(b, lb[:])
	for i, j := na-1, nb-1; i >= 0 && j >= 0; i, j = i-1, j-1 {
		x := a[la[i]+1 : la[i]+1+int(a[la[i]])]
		y := b[lb[j]+1 : lb[j]+1+int(b[lb[j]])]
		if c := bytes.Compare(x, y); c != 0 {
			return c
		}
	}
	switch {
	case na < nb:
		return -1
	case na > nb:
		return 1
	}
	return 0
}

// labelStarts fills starts with the offset of each label of w (the root
// label not counted) and returns how many there are.
func labelStarts(w []byte, starts []int) int {
	n := 0
	for off := 0; off < len(w) && w[off] != 0 && n < len(starts); off += 1 + int(w[off]) {
		starts[n] = off
		n++
	}
	return n
}
