package zones

import (
	"bytes"
	"hash/maphash"
)

// nameTable holds a zone's owner names, each once, in canonical wire form
// in one byte arena, with an open-addressing hash index over them. A name
// is known by its index, in the order names were added. Each name costs
// its own bytes plus about 20 bytes (its offset and two index slots); a
// lookup hashes the name once, and compares the hash kept in each slot it
// probes before it looks at a name's bytes, so that a probe stays within
// the slots; it allocates nothing.
type nameTable struct {
	seed  maphash.Seed
	arena []byte
	offs  []uint32 // name i is arena[offs[i]:offs[i+1]]
	// slots: 0 is empty; else the name's index + 1 in the low 32 bits and
	// the low 32 bits of its hash above them.
	slots []uint64
}

func newNameTable(sizeHint int) *nameTable {
	t := &nameTable{seed: maphash.MakeSeed()}
	t.offs = make([]uint32, 1, sizeHint+1)
	t.slots = make([]uint64, tableSize(sizeHint))
	return t
}

// tableSize is the power of two that keeps n names at most half full.
func tableSize(n int) int {
	size := 16
	for size < 2*n {
		size <<= 1
	}
	return size
}

// len is the number of names.
func (t *nameTable) len() int { return len(t.offs) - 1 }

// name returns name i; the slice must not be modified.
func (t *nameTable) name(i uint32) []byte { return t.arena[t.offs[i]:t.offs[i+1]:t.offs[i+1]] }

func (t *nameTable) hash(w []byte) uint64 { return maphash.Bytes(t.seed, w) }

// find returns the index of the canonical wire name w.
func (t *nameTable) find(w []byte) (uint32, bool) {
	i, _, ok := t.lookup(w, t.hash(w))
	return i, ok
}

// lookup finds w (whose hash is h): its index, or the empty slot where it
// would go.
func (t *nameTable) lookup(w []byte, h uint64) (idx uint32, slot uint64, ok bool) {
	mask := uint64(len(t.slots) - 1)
	tag := h << 32
	for pos := h & mask; ; pos = (pos + 1) & mask {
		s := t.slots[pos]
		if s == 0 {
			return 0, pos, false
		}
		if s&^0xffffffff == tag {
			if i := uint32(s) - 1; bytes.Equal(t.name(i), w) {
				return i, pos, true
			}
		}
	}
}

// add returns the index of w, adding it when it is new.
func (t *nameTable) add(w []byte) (idx uint32, added bool) {
	h := t.hash(w)
	i, slot, ok := t.lookup(w, h)
	if ok {
		return i, false
	}
	if 2*(t.len()+1) > len(t.slots) {
		t.grow()
		_, slot, _ = t.lookup(w, h)
	}
	idx = uint32(t.len())
	t.arena = append(t.arena, w...)
	t.offs = append(t.offs, uint32(len(t.arena)))
	t.slots[slot] = h<<32 | uint64(idx+1)
	return idx, true
}

// grow doubles the index, placing each name again by the hash its slot
// keeps (its low 32 bits pick the slot while the table is below 2^32
// slots, which a zone of at most maxRecords names never reaches).
func (t *nameTable) grow() {
	old := t.slots
	t.slots = make([]uint64, 2*len(old))
	mask := uint64(len(t.slots) - 1)
	for _, s := range old {
		if s == 0 {
			continue
		}
		pos := (s >> 32) & mask
		for t.slots[pos] != 0 {
			pos = (pos + 1) & mask
		}
		t.slots[pos] = s
	}
}

// trim gives back the spare capacity left by appends once the table is
// complete.
func (t *nameTable) trim() {
	t.arena = append([]byte(nil), t.arena...)
	t.offs = append([]uint32(nil), t.offs...)
}

// bytes is the memory the table holds, for size reports.
func (t *nameTable) bytes() int {
	return cap(t.arena) + 4*cap(t.offs) + 8*cap(t.slots)
}
