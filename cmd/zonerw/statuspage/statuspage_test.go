package statuspage

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zonerw/zonerw/failover"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// writeAudit writes lines the way cmd/zonerw's audit log does: one JSON
// object per decision or event.
func writeAudit(t *testing.T, path string, lines []any) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(f)
	for _, l := range lines {
		if s, ok := l.(string); ok {
			fmt.Fprintln(f, s)
			continue
		}
		if err := enc.Encode(l); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

type line struct {
	Type     string             `json:"type"`
	Decision *failover.Decision `json:"decision,omitempty"`
	Event    *failover.Event    `json:"event,omitempty"`
}

func switchLine(i int) line {
	return line{Type: "switch", Decision: &failover.Decision{Service: "web", From: "main", To: "backup",
		Serving: []string{"backup"}, Reason: fmt.Sprintf("switch %d", i), At: t0.Add(time.Duration(i) * time.Second),
		Cause: []failover.Observation{{Service: "web", Target: "main", Reason: strings.Repeat("x", 200)}}}}
}

func TestReadAudit(t *testing.T) {
	dir := t.TempDir()
	var many []any
	for i := range 2000 { // about 600 KiB: the tail is read in growing windows
		many = append(many, switchLine(i))
	}
	tests := []struct {
		name  string
		lines []any
		n     int
		want  []string // Text of each event, newest first
	}{
		{"missing", nil, 20, nil},
		{"mixed", []any{
			switchLine(1),
			"not json",
			line{Type: "event", Event: &failover.Event{Kind: failover.EventAllDown, Service: "web", Reason: "all 2 targets down", At: t0}},
			line{Type: "switch", Decision: &failover.Decision{Service: "web", From: "backup", To: "backup", Serving: []string{"main", "backup"}, Reason: "policy all"}},
			`{"type":"drift","drift":{"provider":"cf","service":"web","text":"www.example.com. A holds 203.0.113.99, want 192.0.2.1; reported only (on_drift: report)","at":"2025-03-01T12:00:00Z"}}`,
			"",
		}, 20, []string{"provider cf: www.example.com. A holds 203.0.113.99, want 192.0.2.1; reported only (on_drift: report)",
			"backup → all of [main backup]: policy all", "all 2 targets down", "main → backup: switch 1"}},
		{"last n of a long log", many, 3, []string{"main → backup: switch 1999", "main → backup: switch 1998", "main → backup: switch 1997"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("audit%d.log", i))
			if tt.lines != nil {
				writeAudit(t, path, tt.lines)
			}
			evs, err := ReadAudit(path, tt.n)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range evs {
				got = append(got, e.Text)
			}
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func sample() Data {
	return Data{
		Host:      "backup-1",
		Generated: t0,
		Services: []Service{{Name: "web", Active: "backup", Since: t0.Add(-3 * time.Second), Why: "main down after 2 consecutive failures", Targets: []Target{
			{Name: "main", LastReason: "connect: connection refused", LastProbe: t0.Add(-2 * time.Second)},
			{Name: "backup", Up: true, Active: true, LastReason: "HTTP 200", LastProbe: t0.Add(-time.Second)},
		}}},
		Zones: []Zone{{Name: "example.com", Serial: 2025030102, Secondaries: []Secondary{
			{Address: "127.0.0.2:53", Serial: 2025030101, Target: 2025030102, Behind: 95 * time.Second, LastError: "i/o timeout"},
			{Address: "127.0.0.3:53", Serial: 2025030102, Target: 2025030102, Acked: true},
		}}},
		Providers: []Provider{{Name: "cf", Kind: "cloudflare", Zone: "example.net", LastSuccess: t0.Add(-time.Minute), InSync: 2, Records: 2}},
		Events:    []Event{{At: t0.Add(-3 * time.Second), Kind: "switch", Service: "web", Text: "main → backup: main down"}},
	}
}

func TestRenderShowsState(t *testing.T) {
	var b strings.Builder
	if err := Render(&b, sample()); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		`<meta http-equiv="refresh" content="5">`,
		`<meta name="viewport" content="width=device-width, initial-scale=1">`,
		`data-service="web" data-active="backup"`,
		`<li class="target" data-target="backup" data-up="true" data-active="true">`,
		`<span class="badge active">ACTIVE</span>`,
		`<p class="moved muted">moved 3s ago: main down after 2 consecutive failures</p>`,
		`connect: connection refused`,
		`serial 2025030101, want 2025030102, for 1m35s, NOTIFY not acknowledged`,
		`last success 1m00s ago; 2 of 2 records in sync`,
		`<li class="event" data-kind="switch">`,
		`main → backup: main down`,
		`<span class="badge ok">OK</span>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "DRIFT") {
		t.Error("a provider without drift is shown drifted")
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "<table") {
		t.Error("page has a script or a table")
	}
}

// TestRenderEscapes: names and reasons come from config files and remote
// servers; none of it may become markup.
// TestRenderShowsDrift: a record left changed (on_drift: report) marks
// its provider and says what it holds.
func TestRenderShowsDrift(t *testing.T) {
	d := sample()
	d.Providers[0].InSync = 1
	d.Providers[0].Drift = []Drift{{Since: t0.Add(-90 * time.Second), Text: "www.example.net. A holds 203.0.113.99, want 192.0.2.1; reported only (on_drift: report)"}}
	var b strings.Builder
	if err := Render(&b, d); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		`<span class="badge warn">DRIFT</span>`,
		`<span class="why warn drift">changed outside zonerw 1m30s ago: www.example.net. A holds 203.0.113.99, want 192.0.2.1; reported only (on_drift: report)</span>`,
		`1 of 2 records in sync`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestRenderEscapes(t *testing.T) {
	d := sample()
	evil := `"><script>alert(1)</script>`
	d.Services[0].Name = evil
	d.Services[0].Targets[0].LastReason = `body lacks "<img src=x onerror=alert(1)>"`
	d.Events[0].Text = evil
	d.Problems = []string{evil}
	var b strings.Builder
	if err := Render(&b, d); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<script>", "<img"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q unescaped", bad)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("escaped text missing from the page")
	}
}

func TestHandlers(t *testing.T) {
	data := func() Data { return sample() }
	tests := []struct {
		name, ctype string
		h           http.Handler
		check       func(body string) error
	}{
		{"html", "text/html; charset=utf-8", Handler(data), func(body string) error {
			if !strings.Contains(body, "<h1>zonerw on backup-1") {
				return fmt.Errorf("no heading")
			}
			return nil
		}},
		{"json", "application/json", JSONHandler(data), func(body string) error {
			var got Data
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				return err
			}
			if got.Services[0].Active != "backup" || got.Zones[0].Secondaries[0].Behind != 95*time.Second {
				return fmt.Errorf("decoded %+v", got)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tt.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != tt.ctype {
				t.Fatalf("status %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
			}
			if rec.Header().Get("Cache-Control") != "no-store" || !strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'none'") {
				t.Errorf("headers %v", rec.Header())
			}
			if err := tt.check(rec.Body.String()); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "0s"},
		{850 * time.Millisecond, "850ms"},
		{12*time.Second + 400*time.Millisecond, "12s"},
		{4*time.Minute + 10*time.Second, "4m10s"},
		{3*time.Hour + 5*time.Minute, "3h05m"},
		{52 * time.Hour, "2d4h"},
	}
	for _, tt := range tests {
		if got := Duration(tt.d); got != tt.want {
			t.Errorf("Duration(%s) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// TestPoolsAndDrillsOnThePage: a pool shows its members, each one active;
// a drill pin and the last drill's report are shown.
func TestPoolsAndDrillsOnThePage(t *testing.T) {
	st := failover.State{
		"mirrors": {Active: "fra", Members: []string{"fra", "lon"}, Targets: map[string]*failover.TargetState{
			"fra": {Up: true}, "ams": {}, "lon": {Up: true}}},
		"web": {Active: "backup", Targets: map[string]*failover.TargetState{"main": {Up: true}, "backup": {Up: true}},
			Pin: &failover.Pin{Target: "backup", From: "main", Until: t0.Add(time.Minute), Drill: true},
			LastDrill: &failover.DrillReport{Start: t0.Add(-time.Hour), From: "main", Target: "backup", Result: failover.DrillPassed,
				Reason: "backup answered all 12 probes"}},
	}
	svcs := ServicesFrom([]failover.Service{{Name: "mirrors", Targets: []string{"fra", "ams", "lon"}, Mode: failover.ModePool},
		{Name: "web", Targets: []string{"main", "backup"}}}, st)
	var b strings.Builder
	if err := Render(&b, Data{Generated: t0, Services: svcs}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		`<strong class="active-target">fra,lon</strong> (pool)`,
		`<li class="target" data-target="lon" data-up="true" data-active="true">`,
		`<li class="target" data-target="ams" data-up="false" data-active="false">`,
		`Pinned: by a failover drill (from main) on backup until 2025-03-01T12:01:00Z`,
		`Last drill: 2025-03-01T11:00:00Z passed (main to backup): backup answered all 12 probes`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
