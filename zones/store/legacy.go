package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

// Before this store, zonerw kept each zone's last version and its IXFR
// journal as text: ixfr-ZONE.zone and ixfr-ZONE.journal (per change: old
// SOA, deleted records, new SOA, added records). Load reads them when the
// new files are missing, and the first Save replaces them.

func (s *Store) legacyPaths(origin string) (zonePath, journalPath string) {
	base := filepath.Join(s.dir, "ixfr-"+fileName(origin))
	return base + ".zone", base + ".journal"
}

// loadLegacy reads the old text files, if any.
func (s *Store) loadLegacy(origin string, st *Stored) (*zones.Version, []zones.Delta) {
	zonePath, journalPath := s.legacyPaths(origin)
	text, err := os.ReadFile(zonePath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		st.problem("cannot read %s: %v", zonePath, err)
		return nil, nil
	}
	v, err := zones.ParseVersion(origin, zonePath, text, zones.ParseOptions{})
	if err != nil {
		st.problem("stored version %s does not load: %v; set aside as %s", zonePath, err, s.setAside(zonePath))
		return nil, nil
	}
	j, err := readLegacyJournal(journalPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		st.problem("old journal %s does not load (%v); IXFR falls back to AXFR", journalPath, err)
		j = nil
	}
	return v, j
}

// removeLegacy deletes the old files once the new ones are written.
func (s *Store) removeLegacy(origin string) {
	zonePath, journalPath := s.legacyPaths(origin)
	for _, p := range []string{zonePath, journalPath} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("cannot remove an old-format journal file", "file", p, "err", err)
		}
	}
}

// readLegacyJournal splits the old journal's records back into changes:
// each SOA starts the next part (old SOA, then new SOA) of a change.
func readLegacyJournal(path string) ([]zones.Delta, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zp := dns.NewZoneParser(f, ".", path)
	var j []zones.Delta
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		soa, isSOA := rr.(*dns.SOA)
		last := len(j) - 1
		switch {
		case isSOA && (last < 0 || j[last].To != nil):
			j = append(j, zones.Delta{From: soa})
		case isSOA:
			j[last].To = soa
		case last < 0:
			return nil, fmt.Errorf("%s: record before the first soa", path)
		case j[last].To == nil:
			j[last].Deleted = append(j[last].Deleted, rr)
		default:
			j[last].Added = append(j[last].Added, rr)
		}
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	if len(j) > 0 && j[len(j)-1].To == nil {
		return nil, fmt.Errorf("%s: last change has no new soa", path)
	}
	return j, nil
}
