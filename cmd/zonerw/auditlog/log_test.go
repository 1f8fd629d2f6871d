package auditlog

import (
	"context"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zonerw/zonerw/failover"
)

// TestWriteScanSwitches: what Log writes, Scan reads back, selected by
// service and time; Switches counts the automatic switches after the
// service's last unpin.
func TestWriteScanSwitches(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)
	l := New(dir, nil)
	l.Record(failover.Outcome{Decisions: []failover.Decision{
		{Kind: failover.DecisionTargetDown, Service: "web", From: "main", To: "backup", At: t0},
		{Kind: failover.DecisionTargetDown, Service: "mail", From: "mx1", To: "mx2", At: t0.Add(time.Minute)},
	}})
	l.Record(failover.Outcome{Events: []failover.Event{{Kind: failover.EventUnpinned, Service: "mail", At: t0.Add(2 * time.Minute)}}})
	l.Drift(Drift{Provider: "cf", Service: "web", Record: "www.example.com. A", Outcome: "reported", At: t0.Add(3 * time.Minute)})
	l.Record(failover.Outcome{Decisions: []failover.Decision{{Kind: failover.DecisionFailback, Service: "web", From: "backup", To: "main", At: t0.Add(4 * time.Minute)}}})

	f, err := os.Open(Path(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []string
	s := &Scan{Path: Path(dir), Filter: Filter{Service: "web", Since: t0.Add(time.Second)}, Stderr: io.Discard}
	err = s.Run(context.Background(), f, func(e Line, raw []byte) error {
		if !strings.HasPrefix(string(raw), `{"type":"`+e.Type+`"`) {
			t.Errorf("raw %q is not the %s line", raw, e.Type)
		}
		got = append(got, e.Type+" "+e.At().Format(time.TimeOnly))
		return nil
	})
	if want := []string{"drift 03:03:00", "switch 03:04:00"}; err != nil || s.Damaged != 0 || !slices.Equal(got, want) {
		t.Errorf("scan: %v, damaged %d, got %q, want %q", err, s.Damaged, got, want)
	}

	sw, err := Switches(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(sw["mail"]) != 0 || !slices.Equal(sw["web"], []time.Time{t0, t0.Add(4 * time.Minute)}) {
		t.Errorf("switches %v", sw)
	}
	if sw, err := Switches(t.TempDir(), t0); err != nil || sw != nil {
		t.Errorf("without a log: %v, %v", sw, err)
	}
}
