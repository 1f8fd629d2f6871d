package store

import (
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"bytes"
	"encoding/binary"
	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

const zoneText = `$TTL 300
@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300
  IN NS ns1
ns1 IN A 127.0.0.53
www IN A 127.0.0.10
mail IN A 127.0.0.25
$GENERATE 1-20 h$ A 127.0.1.$
`

// slotted builds zoneText with www's A record as a slot.
func slotted(t *testing.T) *zones.Base {
	t.Helper()
	b, err := zones.NewBuilder("example.com", "t.zone", 0)
	if err != nil {
		t.Fatal(err)
	}
	err = zones.ReadRecords("example.com.", "t.zone", []byte(zoneText), zones.ParseOptions{}, func(rr dns.RR, line int) error {
		if line == 5 {
			return b.AddSlot(rr, line, "web")
		}
		return b.Add(rr, line)
	})
	if err != nil {
		t.Fatal(err)
	}
	base, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return base
}

func version(t *testing.T, base *zones.Base, serial uint32, addr string) *zones.Version {
	t.Helper()
	v, err := zones.NewVersion(base, serial, func(zones.Slot) ([]netip.Addr, uint32, error) {
		return []netip.Addr{netip.MustParseAddr(addr)}, 0, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func open(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir, 4, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func texts(rrs []dns.RR) []string {
	var out []string
	for _, rr := range rrs {
		out = append(out, rr.String())
	}
	slices.Sort(out)
	return out
}

// saveRun saves n versions flipping www between two addresses and returns
// the last.
func saveRun(t *testing.T, s *Store, base *zones.Base, first uint32, n int) *zones.Version {
	t.Helper()
	var prev *zones.Version
	for i := range n {
		addr := "192.0.2.1"
		if i%2 == 1 {
			addr = "192.0.2.2"
		}
		v := version(t, base, first+uint32(i), addr)
		zones.Chain(prev, v, s.Limit())
		if err := s.Save(v); err != nil {
			t.Fatal(err)
		}
		prev = v
	}
	return prev
}

func TestSaveAndLoad(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	last := saveRun(t, s, slotted(t), 10, 3)

	st := open(t, dir).Load("example.com.")
	if st.Version == nil || len(st.Problems) > 0 {
		t.Fatalf("load: version %v, problems %q", st.Version, st.Problems)
	}
	if st.Version.Serial() != 12 || st.Floor != 12 || !slices.Equal(texts(st.Version.AllRecords()), texts(last.AllRecords())) {
		t.Errorf("loaded serial %d floor %d records\n%q\nwant\n%q", st.Version.Serial(), st.Floor, texts(st.Version.AllRecords()), texts(last.AllRecords()))
	}
	j := st.Version.Journal()
	if len(j) != 2 || j[0].From.Serial != 10 || j[1].To.Serial != 12 {
		t.Errorf("loaded journal: %d changes", len(j))
	}
}

func TestTornTailLosesOnlyTheNewestEntry(t *testing.T) {
	dir := t.TempDir()
	saveRun(t, open(t, dir), slotted(t), 10, 3)
	jnl := filepath.Join(dir, "example.com.jnl")
	data, err := os.ReadFile(jnl)
	if err != nil {
		t.Fatal(err)
	}
	// A kill in the middle of the third append: part of its bytes written.
	whole := len(data)
	if err := os.WriteFile(jnl, append(data, data[len(journalMagic):len(journalMagic)+20]...), 0o600); err != nil {
		t.Fatal(err)
	}
	s := open(t, dir)
	st := s.Load("example.com.")
	if st.Version == nil || st.Version.Serial() != 12 {
		t.Fatalf("after a torn append: version %v", st.Version)
	}
	if len(st.Problems) != 1 || !strings.Contains(st.Problems[0], "cut off") {
		t.Errorf("problems %q, want the cut-off tail reported", st.Problems)
	}
	if fi, _ := os.Stat(jnl); fi.Size() != int64(whole) {
		t.Errorf("journal is %d bytes after the cut, want %d", fi.Size(), whole)
	}
	// Appends go on after the cut and load again.
	base := st.Version.Base()
	next := version(t, slotted(t), 13, "192.0.2.9")
	zones.Chain(st.Version, next, s.Limit())
	if err := s.Save(next); err != nil {
		t.Fatal(err)
	}
	_ = base
	if st := open(t, dir).Load("example.com."); st.Version == nil || st.Version.Serial() != 13 || len(st.Problems) > 0 {
		t.Errorf("after an append past the cut: %v, %q", st.Version, st.Problems)
	}
}

func TestDamagedSnapshotIsSetAsideAndTheFloorKept(t *testing.T) {
	dir := t.TempDir()
	saveRun(t, open(t, dir), slotted(t), 10, 3)
	snap := filepath.Join(dir, "example.com.snap")
	if err := os.WriteFile(snap, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	st := open(t, dir).Load("example.com.")
	if st.Version != nil || st.Floor != 12 || !st.HaveFloor {
		t.Fatalf("version %v floor %d (%v); want none, floor 12 from the journal", st.Version, st.Floor, st.HaveFloor)
	}
	if _, err := os.Stat(snap); err == nil {
		t.Error("the damaged snapshot is still in place")
	}
	aside, _ := filepath.Glob(snap + ".damaged-*")
	if len(aside) != 1 || len(st.Problems) == 0 || !strings.Contains(strings.Join(st.Problems, "\n"), "set aside") {
		t.Errorf("set aside: %q, problems %q", aside, st.Problems)
	}
}

func TestCompactionBoundsTheJournalFile(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	s.inline = true // deterministic: each compaction ends before the next save
	saveRun(t, s, slotted(t), 100, 40)
	jr, err := readJournal(filepath.Join(dir, "example.com.jnl"))
	if err != nil {
		t.Fatal(err)
	}
	recorded := 0
	for _, d := range jr.entries {
		recorded += d.Records()
	}
	if len(jr.entries) == 0 || recorded > 25 {
		t.Errorf("journal file holds %d entries (%d records) after 40 versions of a 25-record zone", len(jr.entries), recorded)
	}
	st := open(t, dir).Load("example.com.")
	if st.Version == nil || st.Version.Serial() != 139 || len(st.Problems) > 0 {
		t.Fatalf("after compaction: %v %q", st.Version, st.Problems)
	}
}

// TestBackgroundCompactionLosesNothing: with compactions in the
// background, racing the appends, what loads is the last version saved.
func TestBackgroundCompactionLosesNothing(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	last := saveRun(t, s, slotted(t), 100, 200)
	s.Wait()
	st := open(t, dir).Load("example.com.")
	if st.Version == nil || st.Version.Serial() != 299 || len(st.Problems) > 0 {
		t.Fatalf("after 200 versions: %v %q", st.Version, st.Problems)
	}
	if !slices.Equal(texts(st.Version.AllRecords()), texts(last.AllRecords())) {
		t.Error("the loaded version differs from the last one saved")
	}
}

func TestLegacyTextFilesAreReadAndReplaced(t *testing.T) {
	dir := t.TempDir()
	legacyZone := "; zonerw: last published version of example.com.\n" +
		"example.com.\t300\tIN\tSOA\tns1.example.com. hostmaster.example.com. 7 7200 3600 1209600 300\n" +
		"example.com.\t300\tIN\tNS\tns1.example.com.\n" +
		"ns1.example.com.\t300\tIN\tA\t127.0.0.53\n"
	legacyJournal := "; journal\n" +
		"example.com.\t300\tIN\tSOA\tns1.example.com. hostmaster.example.com. 6 7200 3600 1209600 300\n" +
		"old.example.com.\t300\tIN\tA\t127.0.0.1\n" +
		"example.com.\t300\tIN\tSOA\tns1.example.com. hostmaster.example.com. 7 7200 3600 1209600 300\n"
	os.WriteFile(filepath.Join(dir, "ixfr-example.com.zone"), []byte(legacyZone), 0o644)
	os.WriteFile(filepath.Join(dir, "ixfr-example.com.journal"), []byte(legacyJournal), 0o644)
	s := open(t, dir)
	st := s.Load("example.com.")
	if st.Version == nil || st.Version.Serial() != 7 || len(st.Version.Journal()) != 1 || st.Floor != 7 {
		t.Fatalf("legacy load: %v %q", st.Version, st.Problems)
	}
	if err := s.Save(st.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ixfr-example.com.zone")); err == nil {
		t.Error("the old zone file is still there after a save")
	}
	if st := open(t, dir).Load("example.com."); st.Version == nil || st.Version.Serial() != 7 || len(st.Version.Journal()) != 1 {
		t.Errorf("after the switch to the new files: %v", st.Version)
	}
}

func TestOpenRemovesStaleTempFiles(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, ".example.com.snap.tmp-123")
	os.WriteFile(stale, []byte("half"), 0o600)
	open(t, dir)
	if _, err := os.Stat(stale); err == nil {
		t.Error("a temp file left by an interrupted write survived Open")
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 && fi.Mode().Perm() != 0o755 {
		t.Errorf("store directory mode %v", fi.Mode())
	}
}

// TestDamageInTheMiddleOfTheJournalIsSetAside: an entry that does not
// check out with whole entries after it is damage, not a torn append: the
// file is set aside whole for a look, and the entries before the damage
// go on as the journal. It was cut at the damage in place, reported as
// a crash, and the entries after it lost without a copy.
func TestDamageInTheMiddleOfTheJournalIsSetAside(t *testing.T) {
	dir := t.TempDir()
	saveRun(t, open(t, dir), slotted(t), 10, 4) // serials 10 to 13: three entries
	jnl := filepath.Join(dir, "example.com.jnl")
	data, err := os.ReadFile(jnl)
	if err != nil {
		t.Fatal(err)
	}
	first := len(journalMagic) + 8 + int(binary.BigEndian.Uint32(data[len(journalMagic):]))
	damaged := slices.Clone(data)
	damaged[first+8] ^= 0xff // the second entry's payload
	if err := os.WriteFile(jnl, damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	st := open(t, dir).Load("example.com.")
	if st.Version == nil || st.Version.Serial() != 11 {
		t.Fatalf("after damage in the second entry: version %v, want serial 11", st.Version)
	}
	if len(st.Problems) != 1 || !strings.Contains(st.Problems[0], "the file is damaged") || !strings.Contains(st.Problems[0], "set aside as example.com.jnl.damaged-") {
		t.Errorf("problems %q, want the damage reported and the file set aside", st.Problems)
	}
	aside, _ := filepath.Glob(jnl + ".damaged-*")
	if len(aside) != 1 {
		t.Fatalf("set-aside copies: %v", aside)
	}
	if kept, _ := os.ReadFile(aside[0]); !bytes.Equal(kept, damaged) {
		t.Errorf("the copy set aside is not the damaged file")
	}
	if now, _ := os.ReadFile(jnl); !bytes.Equal(now, data[:first]) {
		t.Errorf("the journal is %d bytes, want the %d before the damage", len(now), first)
	}
}
