package view

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/cmd/zonerw/statedir"
	"github.com/zonerw/zonerw/zones/provider"
	"github.com/zonerw/zonerw/zones/provider/sink"
)

// The drift line's fields survive a state file (cron mode's status).
func TestDriftFromStateFile(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	st := &statedir.File{Providers: map[string]sink.State{"cf": {Status: &provider.Status{Name: "cf", Records: []provider.RecordStatus{
		{Name: "www", Type: "A", Service: "web", Drift: "www.example.com. A holds 127.0.0.99, want 127.0.0.11; reported only (on_drift: report)", DriftSince: t0}}}}}}
	if err := statedir.Save(dir, st); err != nil {
		t.Fatal(err)
	}
	back, err := statedir.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := config.Provider{Name: "cf", Type: "cloudflare", Zone: "example.com", Records: []config.ProviderRecord{{Name: "www", Type: "A", Service: "web"}}}
	got := ProviderFromState(p, back.Providers["cf"]).Records[0]
	if !strings.Contains(got.Drift, "holds 127.0.0.99") || !got.DriftSince.Equal(t0) {
		t.Errorf("from the state file: %+v", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "state.json")); err != nil {
		t.Error(err)
	}
}

// A record written after it was last read, and not read back since,
// shows as unknown, never as the value read before the write.
func TestLiveAfterAnUnreadWriteIsUnknown(t *testing.T) {
	r := provider.RecordStatus{Read: true, Unknown: true, Live: []netip.Addr{netip.MustParseAddr("127.0.0.21")}}
	if got := liveText(r, plainAddr); got != "unknown (changed since read)" {
		t.Errorf("live %q", got)
	}
}
