package dnsserver

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

// storedZone is a zone's last version and journal as read from disk.
type storedZone struct {
	zone    *zones.Zone
	journal []delta
}

// journalPaths are the two files that keep a zone's IXFR state: its last
// published version and the journal leading to it.
func (s *Server) journalPaths(origin string) (zonePath, journalPath string) {
	base := "ixfr-" + fileName(origin)
	return filepath.Join(s.cfg.JournalDir, base+".zone"), filepath.Join(s.cfg.JournalDir, base+".journal")
}

// fileName turns a zone name into a safe file name ("example.com").
func fileName(origin string) string {
	name := strings.TrimSuffix(origin, ".")
	if name == "" {
		return "root"
	}
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_' {
			return r
		}
		return '_'
	}, name)
}

// loadStored reads the zone's files, if any, into s.stored.
func (s *Server) loadStored(origin string) {
	zonePath, journalPath := s.journalPaths(origin)
	z, err := readZoneFile(zonePath, origin)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		s.log.Warn("ignoring stored zone version; ixfr falls back to axfr", "zone", origin, "err", err)
		return
	}
	j, err := readJournalFile(journalPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) || !validJournal(j, z.Serial()) {
		s.log.Warn("ignoring ixfr journal; ixfr falls back to axfr", "zone", origin, "file", journalPath, "err", err)
		j = nil
	}
	s.stored[origin] = storedZone{zone: z, journal: j}
}

// persist writes ix's version and journal; errors are logged and counted,
// as a journal that cannot be written must not stop a failover.
func (s *Server) persist(ix *zoneIndex) {
	if s.cfg.JournalDir == "" {
		return
	}
	zonePath, journalPath := s.journalPaths(ix.origin)
	err := writeFileAtomic(journalPath, func(w io.Writer) error { return writeJournal(w, ix.origin, ix.journal) })
	if err == nil {
		err = writeFileAtomic(zonePath, func(w io.Writer) error { return writeZone(w, ix.zone) })
	}
	if err != nil {
		s.stats.journalErrors.Add(1)
		s.log.Error("cannot save ixfr journal; a restart will answer ixfr with axfr", "zone", ix.origin, "err", err)
	}
}

// writeJournal writes j as the records of an IXFR answer without the outer
// SOAs: per change SOA(old), deletions, SOA(new), additions.
func writeJournal(w io.Writer, origin string, j []delta) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "; zonerw ixfr journal of %s: per change, old SOA, deleted records, new SOA, added records\n", origin)
	for _, d := range j {
		writeRRs(bw, d.from)
		writeRRs(bw, d.deleted...)
		writeRRs(bw, d.to)
		writeRRs(bw, d.added...)
	}
	return bw.Flush()
}

func writeZone(w io.Writer, z *zones.Zone) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "; zonerw: last published version of %s\n", z.Origin)
	writeRRs(bw, z.SOA)
	writeRRs(bw, withoutSOA(z.Records)...)
	return bw.Flush()
}

func writeRRs(w *bufio.Writer, rrs ...dns.RR) {
	for _, rr := range rrs {
		w.WriteString(rr.String())
		w.WriteByte('\n')
	}
}

// readRecords parses a file written by writeJournal or writeZone.
func readRecords(path string) ([]dns.RR, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zp := dns.NewZoneParser(f, ".", path)
	var rrs []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return rrs, nil
}

func readZoneFile(path, origin string) (*zones.Zone, error) {
	rrs, err := readRecords(path)
	if err != nil {
		return nil, err
	}
	if len(rrs) == 0 || rrs[0].Header().Rrtype != dns.TypeSOA || dns.CanonicalName(rrs[0].Header().Name) != origin {
		return nil, fmt.Errorf("%s: does not start with the soa of %s", path, origin)
	}
	return &zones.Zone{Origin: origin, SOA: rrs[0].(*dns.SOA), Records: rrs}, nil
}

// readJournalFile splits the record sequence back into changes: each SOA
// starts the next part (old SOA, then new SOA) of a change.
func readJournalFile(path string) ([]delta, error) {
	rrs, err := readRecords(path)
	if err != nil {
		return nil, err
	}
	var j []delta
	for _, rr := range rrs {
		soa, isSOA := rr.(*dns.SOA)
		last := len(j) - 1
		switch {
		case isSOA && (last < 0 || j[last].to != nil):
			j = append(j, delta{from: soa})
		case isSOA:
			j[last].to = soa
		case last < 0:
			return nil, fmt.Errorf("%s: record before the first soa", path)
		case j[last].to == nil:
			j[last].deleted = append(j[last].deleted, rr)
		default:
			j[last].added = append(j[last].added, rr)
		}
	}
	if len(j) > 0 && j[len(j)-1].to == nil {
		return nil, fmt.Errorf("%s: last change has no new soa", path)
	}
	return j, nil
}

// writeFileAtomic writes path through a synced temporary file renamed over
// it, so a crash leaves the old file or the new one.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(f.Name()) // fails harmlessly after the rename
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
