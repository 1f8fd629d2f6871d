package store

import (
	"fmt"
	"os"

	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/crashpoint"
)

// Save makes v, the zone's newest version, durable before anyone is told
// of it. When v follows the version last written (its journal's newest
// change starts there), that change is appended to the journal and
// synced: a cost that follows the size of the change. Otherwise (the
// first version, or a change too large to journal) a snapshot of v is
// written, and the journal rewritten as v's own, before Save returns.
// Saving the version last written again does nothing.
//
// Once the journal file holds more records than the zone itself, a
// snapshot of the newest version is written in the background (replaying
// the journal would cost more than reading a snapshot) and the journal is
// cut back to the changes after it; Save never waits for it.
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
	if !follows {
		f.gen++ // a compaction in the background is now out of date
		f.compacting, f.since = false, nil
		return s.compact(f, v)
	}
	d := j[len(j)-1]
	if err := appendEntry(f.jnl, d); err != nil {
		return fmt.Errorf("zone %s: %w", v.Origin(), err)
	}
	f.entries++
	f.recorded += d.Records()
	f.last = v.Serial()
	if f.compacting {
		f.since = append(f.since, d)
	} else if f.recorded > v.Records() {
		f.compacting, f.since = true, nil
		gen := f.gen
		if s.inline { // tests: the same steps, without the race
			f.mu.Unlock()
			s.compactInBackground(f, v, gen)
			f.mu.Lock()
		} else {
			s.wg.Go(func() { s.compactInBackground(f, v, gen) })
		}
	}
	return nil
}

// compact writes a snapshot of v, then replaces the journal with v's own
// (the changes that led to it). The snapshot goes first: a crash between
// the two leaves the current content, with a journal that at worst no
// longer continues it (it then only raises the serial floor). f.mu is held.
func (s *Store) compact(f *zoneFiles, v *zones.Version) error {
	if err := zones.WriteFileFunc(f.snap, 0o600, v.WriteSnapshot); err != nil {
		return fmt.Errorf("zone %s: snapshot: %w", v.Origin(), err)
	}
	f.snapped, f.last, f.haveLast = true, v.Serial(), true
	crashpoint.Hit(crashpoint.SnapshotWritten, v.Origin())
	return s.rewriteJournal(f, v, nil)
}

// rewriteJournal replaces the journal with v's own changes followed by
// those appended since v. f.mu is held.
func (s *Store) rewriteJournal(f *zoneFiles, v *zones.Version, since []zones.Delta) error {
	entries := append(append([]zones.Delta(nil), v.Journal()...), since...)
	if err := writeJournal(f.jnl, entries); err != nil {
		return fmt.Errorf("zone %s: %w", v.Origin(), err)
	}
	f.entries, f.recorded = len(entries), 0
	for _, d := range entries {
		f.recorded += d.Records()
	}
	if f.legacy {
		s.removeLegacy(v.Origin())
		f.legacy = false
	}
	return nil
}

// compactInBackground writes the snapshot of v beside the old one without
// holding the zone's lock (v is immutable), then, holding it, puts the
// snapshot in place and rewrites the journal as v's changes plus the ones
// appended meanwhile. A failure leaves the old snapshot and the full
// journal, which still load; it is logged and tried again later.
func (s *Store) compactInBackground(f *zoneFiles, v *zones.Version, gen int) {
	tmp := f.snap + nextSuffix
	err := zones.WriteFileFunc(tmp, 0o600, v.WriteSnapshot)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gen != gen { // a newer snapshot was written meanwhile
		os.Remove(tmp)
		return
	}
	since := f.since
	f.compacting, f.since = false, nil
	if err == nil {
		if err = os.Rename(tmp, f.snap); err == nil {
			err = syncDirOf(f.snap)
		}
	}
	if err == nil {
		crashpoint.Hit(crashpoint.SnapshotWritten, v.Origin())
		err = s.rewriteJournal(f, v, since)
	}
	if err != nil {
		os.Remove(tmp)
		s.log.Error("cannot compact the zone's journal into a snapshot; the journal keeps growing and still loads", "zone", v.Origin(), "err", err)
	}
}

// nextSuffix names a snapshot being written in the background.
const nextSuffix = ".next"

// Wait waits for the background compactions in progress.
func (s *Store) Wait() { s.wg.Wait() }
