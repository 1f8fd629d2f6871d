package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/zonerw/zonerw/zones"
)

// Stored is what Load found of one zone.
type Stored struct {
	// Version is the newest version the files hold whole, with the
	// journal leading to it; nil when none can be read.
	Version *zones.Version
	// Floor is the highest serial any stored file names (HaveFloor false
	// when there is none): the next version must go above it, even when
	// Version could not be read.
	Floor     uint32
	HaveFloor bool
	// Problems says what was wrong with the files and what was done about
	// it (a torn journal tail cut off, a damaged file set aside, ...).
	Problems []string
}

// raise lifts the floor to serial.
func (st *Stored) raise(serial uint32) {
	if !st.HaveFloor || zones.SerialLess(st.Floor, serial) {
		st.Floor, st.HaveFloor = serial, true
	}
}

func (st *Stored) problem(format string, args ...any) {
	st.Problems = append(st.Problems, fmt.Sprintf(format, args...))
}

// Load reads the zone's stored version: the snapshot, replayed forward
// through the journal entries that follow it. A damaged snapshot is set
// aside (renamed, never deleted); a torn journal tail is cut off. Load
// never fails: whatever it cannot use is reported in Problems.
func (s *Store) Load(origin string) Stored {
	f := s.files(origin)
	f.mu.Lock()
	defer f.mu.Unlock()
	var st Stored
	snap := s.loadSnapshot(f, origin, &st)
	entries := s.loadJournal(f, &st)
	legacy := false
	if snap == nil && entries == nil {
		snap, entries = s.loadLegacy(origin, &st)
		legacy = snap != nil
	}
	for _, d := range entries {
		st.raise(d.From.Serial)
		st.raise(d.To.Serial)
	}
	if snap == nil {
		if len(entries) > 0 {
			st.problem("the journal holds changes up to serial %d but no snapshot to apply them to; the zone is served again once its template is compiled", st.Floor)
		}
		return st
	}
	st.raise(snap.Serial())
	v, journal := s.replay(origin, snap, entries, &st)
	v.SetJournal(trim(journal, s.limit, v.Records()))
	st.Version = v
	f.snapped, f.legacy = !legacy, legacy
	f.last, f.haveLast = v.Serial(), true
	return st
}

// loadSnapshot reads the zone's snapshot; a damaged one is set aside.
func (s *Store) loadSnapshot(f *zoneFiles, origin string, st *Stored) *zones.Version {
	data, err := os.ReadFile(f.snap)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		st.problem("cannot read %s: %v", f.snap, err)
		return nil
	}
	v, err := zones.ReadSnapshot(data, origin, f.snap)
	if err != nil {
		st.problem("%v; set aside as %s", err, s.setAside(f.snap))
		return nil
	}
	return v
}

// loadJournal reads the zone's journal, cutting a torn tail off.
func (s *Store) loadJournal(f *zoneFiles, st *Stored) []zones.Delta {
	jr, err := readJournal(f.jnl)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		st.problem("cannot read %s: %v", f.jnl, err)
		return nil
	}
	switch {
	case jr.torn != "" && len(jr.entries) == 0 && jr.good <= int64(len(journalMagic)):
		st.problem("%s: %s; set aside as %s", f.jnl, jr.torn, s.setAside(f.jnl))
		return nil
	case jr.torn != "" && s.readOnly:
		st.problem("%s: %s: the entries after byte %d are not used", f.jnl, jr.torn, jr.good)
	case jr.damaged:
		// Damage, not a crash: the whole file is kept aside for a look,
		// and the entries before the damage go on as the journal.
		st.problem("%s: %s, with more entries after it: the file is damaged (a crash cuts only the last entry short); %s",
			f.jnl, jr.torn, s.keepFront(f.jnl, jr.good))
	case jr.torn != "":
		if err := cutJournal(f.jnl, jr.good); err != nil {
			st.problem("%s: %s, and %v", f.jnl, jr.torn, err)
		} else {
			st.problem("%s: %s: the entries after byte %d were cut off (a write interrupted by a crash or kill)", f.jnl, jr.torn, jr.good)
		}
	}
	f.entries = len(jr.entries)
	for _, d := range jr.entries {
		f.recorded += d.Records()
	}
	return jr.entries
}

// replay brings the snapshot forward through the journal entries after
// it, and returns the version and the journal that ends at it.
func (s *Store) replay(origin string, snap *zones.Version, entries []zones.Delta, st *Stored) (*zones.Version, []zones.Delta) {
	chain := lastChain(entries)
	serial := snap.Serial()
	for i, d := range chain {
		if d.From.Serial != serial {
			continue
		}
		v, err := zones.Replay(snap, chain[i:])
		if err != nil {
			st.problem("zone %s: cannot apply the journal after serial %d: %v; serving serial %d", origin, serial, err, serial)
			return snap, nil
		}
		return v, chain
	}
	if len(chain) > 0 && chain[len(chain)-1].To.Serial == serial {
		return snap, chain
	}
	if len(chain) > 0 {
		st.problem("zone %s: the journal (serials %d to %d) does not continue the snapshot's serial %d; it is kept for the serial floor only",
			origin, chain[0].From.Serial, chain[len(chain)-1].To.Serial, serial)
	}
	return snap, nil
}

// lastChain is the longest run of consecutive changes that ends with the
// journal's last entry.
func lastChain(entries []zones.Delta) []zones.Delta {
	start := len(entries) - 1
	for start > 0 && entries[start-1].To.Serial == entries[start].From.Serial {
		start--
	}
	if start < 0 {
		return nil
	}
	return entries[start:]
}

// trim keeps the newest changes of j within limit and the zone's size.
func trim(j []zones.Delta, limit, size int) []zones.Delta {
	total := 0
	for _, d := range j {
		total += d.Records()
	}
	for len(j) > 0 && (len(j) > limit || total > size) {
		total -= j[0].Records()
		j = j[1:]
	}
	return j
}

// setAside renames a damaged file out of the way, keeping it for a human,
// and returns its new name (or why it could not be moved).
func (s *Store) setAside(path string) string {
	if s.readOnly {
		return "(not in a read-only look)"
	}
	to, err := zones.SetAside(path, time.Now())
	if err != nil {
		return fmt.Sprintf("(could not rename: %v)", err)
	}
	return filepath.Base(to)
}

// keepFront sets the damaged journal at path aside and writes its first
// good bytes back as the journal, and says what it did.
func (s *Store) keepFront(path string, good int64) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("it cannot be read again: %v", err)
	}
	to, err := zones.SetAside(path, time.Now())
	if err != nil {
		if err := cutJournal(path, good); err != nil {
			return fmt.Sprintf("it could be neither set aside nor cut: %v", err)
		}
		return fmt.Sprintf("it could not be set aside (%v): the entries after byte %d were cut off", err, good)
	}
	if err := zones.WriteFile(path, data[:good], 0o600); err != nil {
		return fmt.Sprintf("set aside as %s; the entries before byte %d could not be written back (%v), so the zone starts from its snapshot", filepath.Base(to), good, err)
	}
	return fmt.Sprintf("set aside as %s, and the entries before byte %d kept", filepath.Base(to), good)
}

func dirOf(path string) string { return filepath.Dir(path) }
