package store

import (
	"fmt"

	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/crashpoint"
)

// Save makes v, the zone's newest version, durable before anyone is told
// of it. When v follows the version last written (its journal's newest
// change starts there), that change is appended to the journal and
// synced: a cost that follows the size of the change. Otherwise (the
// first version, or a change too large to journal) and whenever the
// journal file has outgrown what it is worth, a snapshot of v is written
// and the journal rewritten as v's own. Saving the version last written
// again does nothing.
func (s *Store) Save(v *zones.Version) error {
	if s.readOnly {
		return fmt.Errorf("zone %s: the store %s is open read-only", v.Origin(), s.dir)
	}
	f := s.files(v.Origin())
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.haveLast && f.last == v.Serial() && f.snapped {
		return nil
	}
	j := v.Journal()
	follows := f.snapped && f.haveLast && len(j) > 0 &&
		j[len(j)-1].To.Serial == v.Serial() && j[len(j)-1].From.Serial == f.last
	if follows {
		d := j[len(j)-1]
		if err := appendEntry(f.jnl, d); err != nil {
			return fmt.Errorf("zone %s: %w", v.Origin(), err)
		}
		f.entries++
		f.recorded += d.Records()
		f.last = v.Serial()
		if f.entries <= 2*s.limit && f.recorded <= v.Records() {
			return nil
		}
	}
	return s.compact(f, v)
}

// compact writes a snapshot of v, then replaces the journal with v's own
// (the changes that led to it). The snapshot goes first: a crash between
// the two leaves the current content, with a journal that at worst no
// longer continues it (it then only raises the serial floor).
func (s *Store) compact(f *zoneFiles, v *zones.Version) error {
	if err := zones.WriteFileFunc(f.snap, 0o600, v.WriteSnapshot); err != nil {
		return fmt.Errorf("zone %s: snapshot: %w", v.Origin(), err)
	}
	f.snapped, f.last, f.haveLast = true, v.Serial(), true
	crashpoint.Hit(crashpoint.SnapshotWritten, v.Origin())
	if err := writeJournal(f.jnl, v.Journal()); err != nil {
		return fmt.Errorf("zone %s: %w", v.Origin(), err)
	}
	f.entries, f.recorded = len(v.Journal()), 0
	for _, d := range v.Journal() {
		f.recorded += d.Records()
	}
	if f.legacy {
		s.removeLegacy(v.Origin())
		f.legacy = false
	}
	return nil
}
