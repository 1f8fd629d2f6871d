package statedir

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/cmd/zonerw/view"
	"github.com/zonerw/zonerw/zones/provider"
	"github.com/zonerw/zonerw/zones/provider/sink"
)

// The drift line's fields survive a state file (cron mode's status).
func TestDriftFromStateFile(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	st := &File{Providers: map[string]sink.State{"cf": {Status: &provider.Status{Name: "cf", Records: []provider.RecordStatus{
		{Name: "www", Type: "A", Service: "web", Drift: "www.example.com. A holds 127.0.0.99, want 127.0.0.11; reported only (on_drift: report)", DriftSince: t0}}}}}}
	if err := Save(dir, st); err != nil {
		t.Fatal(err)
	}
	back, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := config.Provider{Name: "cf", Type: "cloudflare", Zone: "example.com", Records: []config.ProviderRecord{{Name: "www", Type: "A", Service: "web"}}}
	got := view.ProviderFromState(p, back.Providers["cf"]).Records[0]
	if !strings.Contains(got.Drift, "holds 127.0.0.99") || !got.DriftSince.Equal(t0) {
		t.Errorf("from the state file: %+v", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "state.json")); err != nil {
		t.Error(err)
	}
}

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
