package zones

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"slices"

	"github.com/miekg/dns"
)

// Delta is the difference between two consecutive versions of a zone, as
// IXFR sends it: the SOA records apart from the other changes.
type Delta struct {
	From, To       *dns.SOA
	Deleted, Added []dns.RR
}

// Records counts what an IXFR of the delta carries.
func (d Delta) Records() int { return 2 + len(d.Deleted) + len(d.Added) }

// DefaultJournalSize bounds the changes a version's journal keeps.
const DefaultJournalSize = 64

// Chain makes next the successor of prev: next's journal becomes prev's
// plus the change from prev to next, the oldest changes dropped while
// there are more than limit of them, or while they hold more records than
// the zone itself (an AXFR is then cheaper). When both versions share a
// Base the change is found among the dynamic owners alone, at the cost of
// the change; otherwise every record is compared. next must not be shared
// yet. A nil prev leaves next's journal empty.
func Chain(prev, next *Version, limit int) {
	if prev == nil {
		return
	}
	d := DeltaBetween(prev, next)
	j := append(slices.Clip(prev.journal), d)
	size := next.Records()
	for len(j) > 0 && (len(j) > limit || journalRecords(j) > size) {
		j = j[1:]
	}
	next.journal = j
}

// SetJournal gives v (not yet shared) a journal read back from disk.
func (v *Version) SetJournal(j []Delta) { v.journal = j }

func journalRecords(j []Delta) int {
	n := 0
	for _, d := range j {
		n += d.Records()
	}
	return n
}

// ValidJournal reports whether j is a chain of changes ending at serial.
func ValidJournal(j []Delta, serial uint32) bool {
	for i := 1; i < len(j); i++ {
		if j[i-1].To.Serial != j[i].From.Serial {
			return false
		}
	}
	return len(j) == 0 || j[len(j)-1].To.Serial == serial
}

// DeltaBetween is the change from a to b, the SOA records aside.
func DeltaBetween(a, b *Version) Delta {
	d := Delta{From: a.soa, To: b.soa}
	if a.base == b.base {
		for i := range a.dyn {
			owner := WireNameText(a.base.names.name(a.base.dyn[i].name))
			d.Deleted = append(d.Deleted, missing(a.dyn[i], b.dyn[i], owner)...)
			d.Added = append(d.Added, missing(b.dyn[i], a.dyn[i], owner)...)
		}
		return d
	}
	ka, kb := recordKeys(a), recordKeys(b)
	d.Deleted = onlyIn(a, ka, b, kb)
	d.Added = onlyIn(b, kb, a, ka)
	return d
}

// missing returns the records of x (but its SOA) that y lacks, owned by owner.
func missing(x, y dynNode, owner string) []dns.RR {
	var out []dns.RR
	xn, yn := Node{sets: x.sets, data: x.data}, Node{sets: y.sets, data: y.data}
	for i := range xn.Len() {
		s := xn.At(i)
		if s.Type == dns.TypeSOA {
			continue
		}
		other, _ := yn.RRset(s.Type)
		for off := 0; off < len(s.Wire); {
			rec, next := s.Next(off)
			if !hasRecord(other, rec) {
				out = append(out, RRset{Type: s.Type, Count: 1, Wire: rec}.Records(owner)...)
			}
			off = next
		}
	}
	return out
}

// hasRecord reports whether s holds exactly the record rec.
func hasRecord(s RRset, rec []byte) bool {
	for off := 0; off < len(s.Wire); {
		r, next := s.Next(off)
		if bytes.Equal(r, rec) {
			return true
		}
		off = next
	}
	return false
}

// recKey locates one record of a version for a full comparison.
type recKey struct {
	hash uint64
	name uint32
	set  uint16 // RRset index within the node
	off  uint32 // record offset within the RRset's Wire
}

// recordKeys lists every record of v but the SOA, sorted by hash.
func recordKeys(v *Version) []recKey {
	keys := make([]recKey, 0, v.Records())
	for i := range v.base.names.len() {
		n := v.node(uint32(i))
		owner := v.base.names.name(uint32(i))
		for si := range n.Len() {
			s := n.At(si)
			if s.Type == dns.TypeSOA {
				continue
			}
			for off := 0; off < len(s.Wire); {
				rec, next := s.Next(off)
				h := recordHash(owner, rec)
				keys = append(keys, recKey{hash: binary.BigEndian.Uint64(h[:8]), name: uint32(i), set: uint16(si), off: uint32(off)})
				off = next
			}
		}
	}
	slices.SortFunc(keys, func(x, y recKey) int { return cmp.Compare(x.hash, y.hash) })
	return keys
}

// onlyIn returns the records of a (keys ka) that b (keys kb) lacks.
func onlyIn(a *Version, ka []recKey, b *Version, kb []recKey) []dns.RR {
	var out []dns.RR
	j := 0
	for _, k := range ka {
		for j < len(kb) && kb[j].hash < k.hash {
			j++
		}
		found := false
		for m := j; m < len(kb) && kb[m].hash == k.hash && !found; m++ {
			found = sameRecord(a, k, b, kb[m])
		}
		if !found {
			owner, s, rec := keyRecord(a, k)
			out = append(out, RRset{Type: s.Type, Count: 1, Wire: rec}.Records(WireNameText(owner))...)
		}
	}
	return out
}

func keyRecord(v *Version, k recKey) (owner []byte, s RRset, rec []byte) {
	s = v.node(k.name).At(int(k.set))
	rec, _ = s.Next(int(k.off))
	return v.base.names.name(k.name), s, rec
}

func sameRecord(a *Version, ka recKey, b *Version, kb recKey) bool {
	oa, _, ra := keyRecord(a, ka)
	ob, _, rb := keyRecord(b, kb)
	return bytes.Equal(oa, ob) && bytes.Equal(ra, rb)
}
