package observe

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/zonerw/zonerw/cmd/zonerw/auditlog"
	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/cmd/zonerw/view"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones/provider"
	"github.com/zonerw/zonerw/zones/provider/sink"
)

// driftAt is a drift of www.example.com. A at provider cf, found at at.
func driftAt(at time.Time, live string, policy string, fixed bool) provider.Drift {
	return provider.Drift{Provider: "cf", Zone: "example.com.", FQDN: "www.example.com.",
		Record: provider.Record{Name: "www", Type: "A", Service: "web"},
		Want:   []netip.Addr{netip.MustParseAddr("127.0.0.11")}, Live: []string{live},
		Policy: policy, Fixed: fixed, At: at}
}

// TestDriftReachesAlertsAndAuditLog: a reported drift alerts at once and
// is audited; found again unchanged it is not audited again and alerts
// only as the hourly reminder; once it is over, a new drift alerts at
// once. A drift put back is audited and alerts too, and so does the next
// one of the same record, however soon. zonerw log prints
// every drift line, and --service selects them by the record's service.
func TestDriftReachesAlertsAndAuditLog(t *testing.T) {
	hook := newHookServer(t)
	cfg := obsConfig(t, config.Alerts{Webhooks: []config.Webhook{{URL: hook.URL}}})
	o := New(cfg, prometheus.NewRegistry(), slog.New(slog.DiscardHandler))
	now := obsT0
	o.now = func() time.Time { return now }
	rec := DriftRecorder{Audit: auditlog.New(cfg.StateDir, nil), Send: o.Send, Clear: o.Recovered}

	report := func(live string, fresh bool) {
		rec.Record(sink.DriftEvent{Drift: driftAt(now, live, provider.DriftReport, false), Fresh: fresh})
	}
	report("127.0.0.99", true)
	now = obsT0.Add(5 * time.Minute)
	report("127.0.0.99", false) // the next check: held
	now = obsT0.Add(61 * time.Minute)
	report("127.0.0.99", false) // the hourly reminder
	now = obsT0.Add(62 * time.Minute)
	over := driftAt(now, "127.0.0.11", "", false)
	rec.Record(sink.DriftEvent{Drift: over, Over: true})
	now = obsT0.Add(63 * time.Minute)
	report("127.0.0.98", true) // a new one, within the hour of the last
	now = obsT0.Add(64 * time.Minute)
	fixed := driftAt(now, "127.0.0.97", provider.DriftFix, true)
	fixed.Record.Type, fixed.Want = "AAAA", []netip.Addr{netip.MustParseAddr("::11")}
	rec.Record(sink.DriftEvent{Drift: fixed, Fresh: true})
	now = obsT0.Add(65 * time.Minute)
	again := driftAt(now, "127.0.0.96", provider.DriftFix, true)
	again.Record.Type, again.Want = "AAAA", []netip.Addr{netip.MustParseAddr("::11")}
	rec.Record(sink.DriftEvent{Drift: again, Fresh: true}) // changed by hand again, a minute later
	o.Close()

	wantAlerts := []string{
		"zonerw: www.example.com. A at cf no longer holds what zonerw published (holds 127.0.0.99, want 127.0.0.11; reported only (on_drift: report))",
		"zonerw: www.example.com. A at cf no longer holds what zonerw published (holds 127.0.0.99, want 127.0.0.11; reported only (on_drift: report))",
		"zonerw: www.example.com. A at cf no longer holds what zonerw published (holds 127.0.0.98, want 127.0.0.11; reported only (on_drift: report))",
		"zonerw: www.example.com. AAAA at cf no longer holds what zonerw published (holds 127.0.0.97, want ::11; put back)",
		"zonerw: www.example.com. AAAA at cf no longer holds what zonerw published (holds 127.0.0.96, want ::11; put back)",
	}
	if got := hook.got(); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", wantAlerts) {
		t.Errorf("webhook got\n%q\nwant\n%q", got, wantAlerts)
	}

	const wantLog = `2025-03-01T12:00:00Z  drift  cf  web  www.example.com. A holds 127.0.0.99, want 127.0.0.11; reported only (on_drift: report)
2025-03-01T13:02:00Z  drift  cf  web  www.example.com. A holds 127.0.0.11 again, as published
2025-03-01T13:03:00Z  drift  cf  web  www.example.com. A holds 127.0.0.98, want 127.0.0.11; reported only (on_drift: report)
2025-03-01T13:04:00Z  drift  cf  web  www.example.com. AAAA holds 127.0.0.97, want ::11; put back
2025-03-01T13:05:00Z  drift  cf  web  www.example.com. AAAA holds 127.0.0.96, want ::11; put back
`
	// What zonerw log prints: each line for people, or as written.
	logText := func(f auditlog.Filter, raw bool) (string, error) {
		path := auditlog.Path(cfg.StateDir)
		file, err := os.Open(path)
		if err != nil {
			return "", err
		}
		defer file.Close()
		var b strings.Builder
		s := &auditlog.Scan{Path: path, Filter: f, Stderr: &b}
		err = s.Run(context.Background(), file, func(e auditlog.Line, line []byte) error {
			if raw {
				b.Write(line)
				return b.WriteByte('\n')
			}
			return view.PrintEntry(&b, e)
		})
		if err == nil && s.Damaged > 0 {
			err = fmt.Errorf("%d damaged lines", s.Damaged)
		}
		return b.String(), err
	}
	if out, err := logText(auditlog.Filter{}, false); err != nil || out != wantLog {
		t.Errorf("zonerw log: %v, output:\n%s\nwant:\n%s", err, out, wantLog)
	}
	if out, err := logText(auditlog.Filter{Service: "mail"}, false); err != nil || out != "" {
		t.Errorf("zonerw log --service mail: %v, output:\n%s", err, out)
	}
	out, err := logText(auditlog.Filter{Since: time.Date(2025, 3, 1, 13, 4, 0, 0, time.UTC)}, true)
	for _, want := range []string{`"type":"drift"`, `"outcome":"put_back"`, `"record":"www.example.com. AAAA"`, `"on_drift":"fix"`, `"live":["127.0.0.97"]`} {
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("zonerw log --json: %v, lacks %s:\n%s", err, want, out)
		}
	}
}

// TestDriftInStatusAndPage: a standing drift is a DRIFT line in zonerw
// status (not a pending change), a DRIFT in explain, and a problem on the
// status page.
func TestDriftInStatusAndPage(t *testing.T) {
	now := obsT0
	addr := netip.MustParseAddr
	st := provider.Status{Name: "cf", Zone: "example.com.", Endpoint: "http://127.0.0.1:1", LastSuccess: now.Add(-time.Minute),
		Records: []provider.RecordStatus{{Name: "www", Type: "A", Service: "web", Want: []netip.Addr{addr("127.0.0.11")},
			Live: []netip.Addr{addr("127.0.0.99")}, Read: true, VerifiedAt: now.Add(-time.Minute),
			Drift: "www.example.com. A holds 127.0.0.99, want 127.0.0.11; reported only (on_drift: report)", DriftSince: now.Add(-10 * time.Minute)}}}
	cfg := obsConfig(t, config.Alerts{})
	cfg.Services[0].Targets = []config.Target{{Name: "main", IPv4: "127.0.0.11"}, {Name: "backup", IPv4: "127.0.0.12"}}

	var b bytes.Buffer
	view.PrintStatus(&b, cfg, view.Status{Daemon: true, Providers: []provider.Status{st}}, now)
	out := b.String()
	since := now.Add(-10 * time.Minute).Local().Format("2006-01-02 15:04:05")
	if !strings.Contains(out, "  DRIFT since "+since+" (10m0s ago): www.example.com. A holds 127.0.0.99, want 127.0.0.11; reported only (on_drift: report)\n") ||
		!strings.Contains(out, "(1m0s ago)  -\n") {
		t.Errorf("status:\n%s", out)
	}

	b.Reset()
	view.PrintExplain(&b, view.Explain{Explanation: failover.Explanation{Service: "web", Serving: []string{"main"}},
		Providers: view.ProviderRecords(cfg, "web", []provider.Status{st})}, now)
	if want := "; DRIFT: changed outside zonerw, want 127.0.0.11 (main)\n"; !strings.Contains(b.String(), want) {
		t.Errorf("explain lacks %q:\n%s", want, b.String())
	}

	o := New(cfg, prometheus.NewRegistry(), slog.New(slog.DiscardHandler))
	o.now = func() time.Time { return now }
	src := Sources{Status: func() view.Status { return view.Status{Daemon: true, Providers: []provider.Status{st}} }}
	if err := o.Start("127.0.0.1:0", src); err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	code, page := get(t, "http://"+o.httpAddr.String()+"/status.json")
	want := `"provider cf: changed outside zonerw 10m00s ago: www.example.com. A holds 127.0.0.99, want 127.0.0.11; reported only (on_drift: report)"`
	if code != http.StatusOK || !strings.Contains(page, want) {
		t.Errorf("status.json lacks the problem %s:\n%s", want, page)
	}
}
