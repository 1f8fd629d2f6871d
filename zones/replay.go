package zones

import (
	"fmt"

	"github.com/miekg/dns"
)

// Replay applies a run of deltas to v, which must hold the serial the
// first one starts from, and returns the version the last one ends at,
// with no journal. It rebuilds the whole zone once, however many deltas:
// it is for loading a stored version, not for publishing.
func Replay(v *Version, ds []Delta) (*Version, error) {
	if len(ds) == 0 {
		return v, nil
	}
	if ds[0].From.Serial != v.Serial() || !ValidJournal(ds, ds[len(ds)-1].To.Serial) {
		return nil, fmt.Errorf("zone %s: journal does not continue serial %d", v.Origin(), v.Serial())
	}
	// Net effect of the run: a record deleted then added again stays.
	gone, added := map[string]bool{}, map[string]dns.RR{}
	for _, d := range ds {
		for _, rr := range d.Deleted {
			k, err := wireKey(rr)
			if err != nil {
				return nil, err
			}
			if _, ok := added[k]; ok {
				delete(added, k)
			} else {
				gone[k] = true
			}
		}
		for _, rr := range d.Added {
			k, err := wireKey(rr)
			if err != nil {
				return nil, err
			}
			if gone[k] {
				delete(gone, k)
			} else {
				added[k] = rr
			}
		}
	}
	b, err := NewBuilder(v.Origin(), "journal", v.Records())
	if err != nil {
		return nil, err
	}
	last := ds[len(ds)-1].To
	var key []byte
	var addErr error
	v.Each(func(name []byte, n Node) bool {
		for i := range n.Len() {
			s := n.At(i)
			if s.Type == dns.TypeSOA {
				continue
			}
			for off := 0; off < len(s.Wire); {
				rec, next := s.Next(off)
				key = append(append(key[:0], name...), rec...)
				if !gone[string(key)] {
					if addErr = b.addWire(name, rec, 0); addErr != nil {
						return false
					}
				}
				off = next
			}
		}
		return true
	})
	if addErr != nil {
		return nil, addErr
	}
	if err := b.Add(dns.Copy(last), 0); err != nil {
		return nil, err
	}
	for _, rr := range added {
		if err := b.Add(dns.Copy(rr), 0); err != nil {
			return nil, err
		}
	}
	base, err := b.Finish()
	if err != nil {
		return nil, fmt.Errorf("zone %s: journal replayed to serial %d does not validate: %w", v.Origin(), last.Serial, err)
	}
	return NewVersion(base, last.Serial, nil)
}

// wireKey is a record's canonical owner followed by the record in the
// RRset.Wire layout: the bytes Replay compares stored records by.
func wireKey(rr dns.RR) (string, error) {
	b, err := appendRR(nil, rr)
	if err != nil {
		return "", err
	}
	n := wireNameLen(b)
	LowerWire(b[:n])
	return string(b), nil
}
