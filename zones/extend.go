package zones

import (
	"fmt"

	"github.com/miekg/dns"
)

// BaseOwner is one owner name of a Base as a signer reads it.
type BaseOwner struct {
	Name []byte // canonical wire form; must not be modified
	// Types are every type at the name in zone order: for a dynamic
	// owner its static types, its slots' and (at the apex) SOA.
	Types []uint16
	// Sets are the RRsets whose records the Base holds: all of a static
	// owner's; a dynamic owner's static ones (never its SOA or the types
	// its slots fill, which each Version makes anew).
	Sets    []RRset
	Dynamic bool // the apex, or a name with slots
	Cut     bool // NS below the apex
	Empty   bool // an empty non-terminal
}

// Owners calls fn with every owner of the base, empty non-terminals
// included, the apex first, until fn returns false.
func (b *Base) Owners(fn func(o BaseOwner) bool) {
	for i := range b.names.len() {
		o := b.owners[i]
		bo := BaseOwner{Name: b.names.name(uint32(i)), Dynamic: o.flags&flagDynamic != 0, Cut: o.flags&flagCut != 0}
		var n Node
		if bo.Dynamic {
			d := &b.dyn[o.first]
			n = Node{sets: d.sets, data: d.data}
			bo.Types = d.order
		} else {
			n = Node{sets: b.sets[o.first : o.first+uint32(o.n)+1], data: b.data}
		}
		for k := range n.Len() {
			bo.Sets = append(bo.Sets, n.At(k))
			if !bo.Dynamic {
				bo.Types = append(bo.Types, n.sets[k].rtype)
			}
		}
		bo.Empty = len(bo.Types) == 0
		if !fn(bo) {
			return
		}
	}
}

// SOA is the SOA the zone was built with; it must not be modified.
func (b *Base) SOA() *dns.SOA { return b.soa }

// NewBuilderFrom starts a Builder holding every record and slot of base,
// so that records can be added to it (a signer's signatures, chain and
// keys) and a new Base made with Finish. Its cost is the size of base.
func NewBuilderFrom(base *Base) (*Builder, error) {
	b, err := NewBuilder(base.origin, base.origin, base.records+len(base.slots)+base.names.len())
	if err != nil {
		return nil, err
	}
	if err := b.Add(dns.Copy(base.soa), 0); err != nil {
		return nil, err
	}
	var addErr error
	base.Owners(func(o BaseOwner) bool {
		for _, s := range o.Sets {
			for off := 0; off < len(s.Wire); {
				rec, next := s.Next(off)
				if addErr = b.addWire(o.Name, rec, 0); addErr != nil {
					return false
				}
				off = next
			}
		}
		return true
	})
	if addErr != nil {
		return nil, addErr
	}
	for _, s := range base.slots {
		b.addSlotStandIn(base.names.name(s.name), s)
	}
	return b, nil
}

// addSlotStandIn adds slot s, owned by the wire name owner, with stand-in
// data: every Version makes its records anew.
func (b *Builder) addSlotStandIn(owner []byte, s Slot) {
	rdlen := 4
	if s.Type == dns.TypeAAAA {
		rdlen = 16
	}
	idx := b.addName(owner)
	b.slots = append(b.slots, Slot{Owner: s.Owner, Type: s.Type, TTL: s.TTL, Key: s.Key, Line: s.Line, name: idx})
	b.recs = append(b.recs, staged{name: idx, rtype: s.Type, rdlen: uint16(rdlen), ttl: s.TTL,
		off: uint32(len(b.rdata)), line: uint32(s.Line), slot: int32(len(b.slots) - 1)})
	b.rdata = append(b.rdata, make([]byte, rdlen)...)
}

// AddWire adds a record given in wire form: its owner (canonical wire
// name) and the record in the RRset.Wire layout.
func (b *Builder) AddWire(owner, rec []byte) error {
	if err := b.addWire(owner, rec, 0); err != nil {
		return fmt.Errorf("%s: %w", b.file, err)
	}
	return nil
}
