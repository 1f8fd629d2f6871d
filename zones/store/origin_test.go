package store

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/zonerw/zonerw/zones"
)

// The config names a zone "example.com", its versions "example.com.": a
// Load under one name and a Save under the other are the same zone's
// files, so the change after a restart is appended to the journal, not
// written as a new snapshot (each cron run did that before).
func TestLoadAndSaveUnderEitherSpellingAreOneZone(t *testing.T) {
	dir := t.TempDir()
	saveRun(t, open(t, dir), slotted(t), 10, 1)
	snap := filepath.Join(dir, "example.com.snap")
	before, err := os.Stat(snap)
	if err != nil {
		t.Fatal(err)
	}
	s := open(t, dir)
	st := s.Load("Example.COM")
	if st.Version == nil {
		t.Fatalf("load: %q", st.Problems)
	}
	next := version(t, slotted(t), 11, "192.0.2.2")
	zones.Chain(st.Version, next, s.Limit())
	if err := s.Save(next); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(snap)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) {
		t.Error("the snapshot was rewritten: the save did not know the zone's files were loaded")
	}
	jr, err := readJournal(filepath.Join(dir, "example.com.jnl"))
	if err != nil || len(jr.entries) != 1 || jr.entries[0].To.Serial != 11 {
		t.Fatalf("journal after the save: %d entries, %v", len(jr.entries), err)
	}
	if st := open(t, dir).Load("example.com."); st.Version == nil || st.Version.Serial() != 11 || len(st.Problems) > 0 {
		t.Errorf("load after the append: %v %q", st.Version, st.Problems)
	}
}
