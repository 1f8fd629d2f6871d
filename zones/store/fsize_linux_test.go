//go:build linux

package store

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/zonerw/zonerw/zones"
)

// TestAFailedAppendIsTakenBack: an append the disk takes only part of
// (here a file size limit a few bytes past the journal's end, as a full
// disk would) fails, and the part written is cut off again: the journal
// loads with no torn entry for the next start to blame on a crash, and
// the next append follows on.
func TestAFailedAppendIsTakenBack(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	last := saveRun(t, s, slotted(t), 10, 3)
	s.Wait()
	jnl := filepath.Join(dir, "example.com.jnl")
	fi, err := os.Stat(jnl)
	if err != nil {
		t.Fatal(err)
	}
	before := fi.Size()

	next := version(t, slotted(t), 13, "192.0.2.9")
	zones.Chain(last, next, s.Limit())
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	limit := old
	limit.Cur = uint64(before) + 10
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limit); err != nil {
		t.Fatal(err)
	}
	err = s.Save(next)
	if rerr := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); rerr != nil {
		t.Fatal(rerr)
	}
	if !errors.Is(err, syscall.EFBIG) {
		t.Fatalf("Save past the size limit: %v, want EFBIG", err)
	}
	if fi, _ := os.Stat(jnl); fi.Size() != before {
		t.Fatalf("the journal is %d bytes after the failed append, want %d as before it", fi.Size(), before)
	}
	st := open(t, dir).Load("example.com.")
	if st.Version == nil || st.Version.Serial() != 12 || len(st.Problems) > 0 {
		t.Fatalf("after the failed append: version %v, problems %q", st.Version, st.Problems)
	}

	if err := s.Save(next); err != nil {
		t.Fatal(err)
	}
	if st := open(t, dir).Load("example.com."); st.Version == nil || st.Version.Serial() != 13 || len(st.Problems) > 0 {
		t.Errorf("after the append once the disk takes it: %v, %q", st.Version, st.Problems)
	}
}

// TestAFailedFirstAppendLeavesNoDamage: when the first append to a new
// journal fails, the empty file left is no journal at all, not a damaged
// one, and the next append writes it whole.
func TestAFailedFirstAppendLeavesNoDamage(t *testing.T) {
	dir := t.TempDir()
	jnl := filepath.Join(dir, "example.com.jnl")
	if err := os.WriteFile(jnl, nil, 0o600); err != nil { // what a taken-back first append leaves
		t.Fatal(err)
	}
	jr, err := readJournal(jnl)
	if err != nil || jr.torn != "" || len(jr.entries) != 0 {
		t.Fatalf("empty journal: %+v, %v; want no entries and nothing torn", jr, err)
	}
	s := open(t, dir)
	saveRun(t, s, slotted(t), 10, 3)
	s.Wait()
	if st := open(t, dir).Load("example.com."); st.Version == nil || st.Version.Serial() != 12 || len(st.Problems) > 0 {
		t.Errorf("after appends to the emptied journal: %v, %q", st.Version, st.Problems)
	}
}
