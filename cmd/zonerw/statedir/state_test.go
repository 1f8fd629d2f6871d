package statedir

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A damaged state file is set aside, never deleted, and an empty state
// used; a Saver writes what it was offered by the time Flush returns; a
// second Lock of the directory is refused while the first holds it.
func TestRebuildSaveLock(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(Path(dir), []byte("\x00garbage{"), 0o600); err != nil {
		t.Fatal(err)
	}
	st := LoadOrRebuild(dir, slog.New(slog.DiscardHandler))
	if st.Rebuilt == "" || len(st.Zones) != 0 {
		t.Errorf("a damaged file: rebuilt %q, zones %v", st.Rebuilt, st.Zones)
	}
	entries, _ := os.ReadDir(dir)
	if _, err := os.Stat(Path(dir)); !os.IsNotExist(err) || len(entries) != 1 {
		t.Errorf("the damaged file was not set aside: %v, %d entries", err, len(entries))
	}

	s := StartSaver(dir, slog.New(slog.DiscardHandler))
	s.Offer([]byte(`{"version": 1, "services": {}, "zones": {}}` + "\n"))
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if back, err := Load(dir); err != nil || back.Version != Version {
		t.Errorf("after Flush: %+v, %v", back, err)
	}

	unlock, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(dir); err == nil || !strings.Contains(err.Error(), "is held by another zonerw process") {
		t.Errorf("a second lock: %v", err)
	}
	unlock()
	unlock, err = Lock(dir)
	if err != nil {
		t.Errorf("a lock after unlock: %v", err)
	} else {
		unlock()
	}
}

// TestSaverTriesAFailedWriteAgain: a state file that cannot be written
// (here its directory is missing; in life a full disk) is written once
// the directory takes writes again, without a new offer, and it is the
// newest state offered that is written.
func TestSaverTriesAFailedWriteAgain(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s := startSaver(dir, slog.New(slog.DiscardHandler), 5*time.Millisecond, 20*time.Millisecond)
	defer s.Stop()
	s.Offer([]byte("{\"version\": 1}\n"))
	s.Offer([]byte("{\"version\": 2}\n"))
	if err := s.Flush(); err == nil {
		t.Fatal("Flush: no error for a directory that does not exist")
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.LastErr() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("the state file was not written again: %v", s.LastErr())
		}
		time.Sleep(5 * time.Millisecond)
	}
	got, err := os.ReadFile(Path(dir))
	if err != nil || string(got) != "{\"version\": 2}\n" {
		t.Fatalf("state file: %q, %v; want the newest state", got, err)
	}
}

// TestLockHoldsWithItsFileRemoved: the lock holds the directory itself,
// so a lock file removed by hand lets no second process in; it did, and
// two wrote the store at once.
func TestLockHoldsWithItsFileRemoved(t *testing.T) {
	dir := t.TempDir()
	unlock, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "lock")); err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(dir); err == nil || !strings.Contains(err.Error(), "although its lock file") {
		t.Fatalf("a second lock with the file removed: %v, want it refused", err)
	}
	unlock()
	unlock, err = Lock(dir)
	if err != nil {
		t.Fatalf("after the unlock: %v", err)
	}
	unlock()
}
