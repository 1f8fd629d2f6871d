package zones

import (
	"bytes"
	"hash/maphash"
)

// nameTable holds a zone's owner names, each once, in canonical wire form
// in one byte arena, with an open-addressing hash index over them. A name
// is known by its index, in the order names were added. It costs about 12
// bytes per name besides the name's own bytes, and a lookup hashes the
// name once and compares bytes, allocating nothing.
type nameTable struct {
	seed  maphash.Seed
	arena []byte
	offs  []uint32 // name i is arena[offs[i]:offs[i+1]]
	slots []uint32 // 0: empty; else the index of a name + 1
}

func newNameTable(sizeHint int) *nameTable {
	t := &nameTable{seed: maphash.MakeSeed(), offs: []uint32{0}}
	t.slots = make([]uint32, tableSize(sizeHint))
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

// find returns the index of the canonical wire name w.
func (t *nameTable) find(w []byte) (uint32, bool) {
	mask := uint64(len(t.slots) - 1)
	for pos := maphash.Bytes(t.seed, w) & mask; ; pos = (pos + 1) & mask {
		s := t.slots[pos]
		if s == 0 {
			return 0, false
		}
		if bytes.Equal(t.name(s-1), w) {
			return s - 1, true
		}
	}
}

// add returns the index of w, adding it when it is new.
func (t *nameTable) add(w []byte) (idx uint32, added bool) {
	if i, ok := t.find(w); ok {
		return i, false
	}
	if 2*(t.len()+1) > len(t.slots) {
		t.grow()
	}
	idx = uint32(t.len())
	t.arena = append(t.arena, w...)
	t.offs = append(t.offs, uint32(len(t.arena)))
	t.insert(idx)
	return idx, true
}

// insert puts name idx into the hash index.
func (t *nameTable) insert(idx uint32) {
	mask := uint64(len(t.slots) - 1)
	pos := maphash.Bytes(t.seed, t.name(idx)) & mask
	for t.slots[pos] != 0 {
		pos = (pos + 1) & mask
	}
	t.slots[pos] = idx + 1
}

func (t *nameTable) grow() {
	t.slots = make([]uint32, 2*len(t.slots))
	for i := range t.len() {
		t.insert(uint32(i))
	}
}

// trim gives back the spare capacity left by appends once the table is
// complete.
func (t *nameTable) trim() {
	t.arena = append([]byte(nil), t.arena...)
	t.offs = append([]uint32(nil), t.offs...)
}

// bytes is the memory the table holds, for size reports.
func (t *nameTable) bytes() int { return cap(t.arena) + 4*cap(t.offs) + 4*cap(t.slots) }
