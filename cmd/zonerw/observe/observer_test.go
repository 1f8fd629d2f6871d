package observe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/zonerw/zonerw/cmd/zonerw/auditlog"
	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/cmd/zonerw/view"
	"github.com/zonerw/zonerw/dnsserver"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/probe"
)

var obsT0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// hookServer is a webhook receiver on 127.0.0.1 that keeps the "text"
// of every post.
type hookServer struct {
	*httptest.Server
	mu    sync.Mutex
	texts []string
}

func newHookServer(t *testing.T) *hookServer {
	t.Helper()
	h := &hookServer{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Text string }
		json.NewDecoder(r.Body).Decode(&body)
		h.mu.Lock()
		h.texts = append(h.texts, body.Text)
		h.mu.Unlock()
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookServer) got() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.texts...)
}

// obsConfig is a config with one service, one zone and the given alerts.
func obsConfig(t *testing.T, alerts config.Alerts) *config.Config {
	t.Helper()
	return &config.Config{
		StateDir: t.TempDir(),
		Services: []config.Service{{Name: "web", Rise: 1, Fall: 1, Targets: []config.Target{{Name: "main"}, {Name: "backup"}}}},
		Zones:    []config.Zone{{Name: "example.com"}},
		Alerts:   alerts,
	}
}

// fakeDaemon is the daemon as the observer sees it: a real engine, fixed
// secondaries and counters.
type fakeDaemon struct {
	engine *failover.Engine
	secs   []dnsserver.SecondaryState
	mu     sync.Mutex
	zones  map[string]view.Zone
}

func newFakeDaemon(cfg *config.Config) *fakeDaemon {
	return &fakeDaemon{
		engine: failover.NewEngine([]failover.Service{cfg.Services[0].Failover()}, nil),
		secs:   []dnsserver.SecondaryState{{Addr: netip.MustParseAddrPort("127.0.0.2:53"), Target: 2025030102, Serial: 2025030101, Notified: obsT0}},
		zones: map[string]view.Zone{"example.com": {Serial: 2025030102, Error: "template broken: example.com.tmpl:9: unknown service",
			Destinations: []view.Destination{{Name: "file:example.com", Pending: true, Failures: 2,
				LastError: "write example.com.zone: no space left on device"}}}},
	}
}

// setZone replaces what the fake daemon says of one zone.
func (f *fakeDaemon) setZone(name string, z view.Zone) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.zones[name] = z
}

func (f *fakeDaemon) sources() Sources {
	return Sources{
		Status: func() view.Status {
			f.mu.Lock()
			defer f.mu.Unlock()
			return view.Status{Daemon: true, Services: f.engine.State(), Zones: maps.Clone(f.zones),
				ReloadRefused: &view.Refusal{At: obsT0, Error: "zonerw.yaml:3: services[0].check.timeout: `1sec` is not a duration"}}
		},
		Secondaries: func(zone string) []dnsserver.SecondaryState { return f.secs },
		DNS: func() dnsserver.Stats {
			return dnsserver.Stats{QueryCounts: []dnsserver.QueryCount{{Zone: "example.com.", Type: "A", Rcode: "NOERROR", Count: 12}}}
		},
	}
}

// mainFails makes the engine move web from main to backup.
func (f *fakeDaemon) mainFails() failover.Outcome {
	return f.engine.Apply(failover.Round{At: obsT0, Observations: []failover.Observation{
		{Service: "web", Target: "main", Reason: "connect: connection refused", At: obsT0},
		{Service: "web", Target: "backup", OK: true, Reason: "HTTP 200", At: obsT0},
	}})
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestObserverServesAndAlerts: a switch reaches the webhook, the metrics,
// the status page and its JSON; /readyz turns ready when told.
func TestObserverServesAndAlerts(t *testing.T) {
	hook := newHookServer(t)
	cfg := obsConfig(t, config.Alerts{Webhooks: []config.Webhook{{URL: hook.URL + "/secret"}}})
	fd := newFakeDaemon(cfg)
	o := New(cfg, prometheus.NewRegistry(), slog.New(slog.DiscardHandler))
	if err := o.Start("127.0.0.1:0", fd.sources()); err != nil {
		t.Fatal(err)
	}
	base := "http://" + o.httpAddr.String()
	if code, _ := get(t, base+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz before setReady: %d, want 503", code)
	}
	o.SetReady()
	out := fd.mainFails()
	auditlog.New(cfg.StateDir, nil).Record(out)
	o.Record(out)

	checks := []struct{ path, want string }{
		{"/healthz", "ok"},
		{"/readyz", "ready"},
		{"/metrics", `zonerw_failover_switches_total{from="main",reason="target_down",service="web",to="backup"} 1`},
		{"/metrics", `zonerw_failover_active_target{service="web",target="backup"} 1`},
		{"/metrics", `zonerw_dns_queries_total{rcode="NOERROR",type="A",zone="example.com"} 12`},
		{"/metrics", `zonerw_secondary_serial{secondary="127.0.0.2:53",zone="example.com"} 2.025030101e+09`},
		{"/", `serial 2025030101, want 2025030102`},
		{"/", `data-service="web" data-active="backup"`},
		{"/", `zone example.com: template broken: example.com.tmpl:9: unknown service`},
		{"/", `zone example.com: file:example.com FAILING (2 attempts): write example.com.zone: no space left on device`},
		{"/", `main → backup: main down after 1 consecutive failures: connect: connection refused`},
		{"/", "reload refused"},
		{"/", "still running on the config before it: zonerw.yaml:3: services[0].check.timeout: `1sec` is not a duration"},
		{"/status.json", `"active": "backup"`},
	}
	for _, c := range checks {
		code, body := get(t, base+c.path)
		if code != http.StatusOK || !strings.Contains(body, c.want) {
			t.Errorf("GET %s: %d, want 200 with %q; got\n%.2000s", c.path, code, c.want, body)
		}
	}
	// A zone with no version to serve (its template never compiled,
	// nothing stored) is answered SERVFAIL: not ready.
	fd.setZone("example.net", view.Zone{Error: "template broken: example.net.tmpl: no such file or directory"})
	code, body := get(t, base+"/readyz")
	if want := "zone example.net has no version to serve (template broken: example.net.tmpl: no such file or directory)"; code != http.StatusServiceUnavailable || !strings.Contains(body, want) {
		t.Errorf("/readyz with a zone unserved: %d %q, want 503 with %q", code, body, want)
	}
	fd.setZone("example.net", view.Zone{Serial: 1})
	if code, body := get(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz once every zone is served: %d %q, want 200", code, body)
	}

	o.Close() // delivers what is queued
	want := "zonerw: web switched from main to backup (main down after 1 consecutive failures: connect: connection refused)"
	if got := hook.got(); len(got) != 1 || got[0] != want {
		t.Errorf("webhook got %q, want [%q]", got, want)
	}
}

// TestObserverLint lints everything /metrics exports, Go and process
// collectors included.
func TestObserverLint(t *testing.T) {
	cfg := obsConfig(t, config.Alerts{})
	reg := prometheus.NewPedanticRegistry()
	o := New(cfg, reg, slog.New(slog.DiscardHandler))
	fd := newFakeDaemon(cfg)
	if err := o.Start("", fd.sources()); err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	o.Record(fd.mainFails())
	o.WrapJobs([]failover.Job{{Service: "web", Targets: []failover.Check{okCheck("main")}}})[0].Targets[0].Run(t.Context())
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}

func okCheck(name string) failover.Check {
	return failover.Check{Name: name, Run: func(ctx context.Context) probe.Result {
		return probe.Result{OK: true, Latency: 30 * time.Millisecond, Reason: "HTTP 200"}
	}}
}

func TestWrapJobsCountsProbes(t *testing.T) {
	cfg := obsConfig(t, config.Alerts{})
	reg := prometheus.NewRegistry()
	o := New(cfg, reg, slog.New(slog.DiscardHandler))
	defer o.Close()
	failing := failover.Check{Name: "main", Run: func(ctx context.Context) probe.Result {
		return probe.Result{Latency: 2 * time.Second, Reason: "timeout after 2s"}
	}}
	jobs := o.WrapJobs([]failover.Job{{Service: "web", Spec: "@every 1s", Targets: []failover.Check{failing, okCheck("backup")}}})
	for range 2 {
		for _, c := range jobs[0].Targets {
			if res := c.Run(t.Context()); res.Reason == "" {
				t.Fatalf("%s: the wrapped check lost its result", c.Name)
			}
		}
	}
	got := gather(t, reg)
	for _, want := range []string{
		`zonerw_probe_results_total{result="fail",service="web",target="main"} 2`,
		`zonerw_probe_results_total{result="ok",service="web",target="backup"} 2`,
		`zonerw_probe_duration_seconds_sum{service="web",target="main"} 4`,
		`zonerw_probe_duration_seconds_count{service="web",target="backup"} 2`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// gather renders reg in the text format.
func gather(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	o := &Observer{reg: reg}
	o.handler(Sources{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.String()
}

// TestFailureAlerts: a run of publish failures raises one alert until a
// success ends it; a failed reload alerts; a good reload brings new sinks.
func TestFailureAlerts(t *testing.T) {
	first, second := newHookServer(t), newHookServer(t)
	dir := t.TempDir()
	hookOut := filepath.Join(dir, "exec.out")
	hook := filepath.Join(dir, "hook.sh")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\necho \"$ZONERW_EVENT_KIND $ZONERW_ZONE$ZONERW_PROVIDER\" >> \"$1\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := obsConfig(t, config.Alerts{
		Webhooks: []config.Webhook{{URL: first.URL}},
		Exec:     []config.ExecHook{{Command: []string{hook, hookOut}}},
	})
	o := New(cfg, prometheus.NewRegistry(), slog.New(slog.DiscardHandler))
	boom := errors.New("example.com.tmpl:3: unknown marker @IP:mail@")
	o.PublishFailed("example.com", boom)
	o.PublishFailed("example.com", boom)
	o.ZonePublished("example.com", 2025030103)
	o.PublishFailed("example.com", boom)
	o.ProviderPublished("cf", errors.New("HTTP 500"))
	o.ProviderPublished("cf", errors.New("HTTP 500"))
	o.Reloaded(nil, errors.New("zonerw.yaml:4: services[0].rise: must be at least 1"))

	next := *cfg
	next.Alerts = config.Alerts{Webhooks: []config.Webhook{{URL: second.URL}}}
	o.Reloaded(&next, nil)
	o.Record(newFakeDaemon(cfg).mainFails())
	o.Close()

	wantFirst := []string{
		"zonerw: publishing example.com failed (example.com.tmpl:3: unknown marker @IP:mail@)",
		"zonerw: publishing example.com failed (example.com.tmpl:3: unknown marker @IP:mail@)",
		"zonerw: publishing cf failed (HTTP 500)",
		"zonerw: config reload failed; still running on the previous config (zonerw.yaml:4: services[0].rise: must be at least 1)",
	}
	if got := first.got(); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", wantFirst) {
		t.Errorf("first webhook got\n%q\nwant\n%q", got, wantFirst)
	}
	if got := second.got(); len(got) != 1 || !strings.HasPrefix(got[0], "zonerw: web switched from main to backup") {
		t.Errorf("webhook configured by the reload got %q, want the switch", got)
	}
	b, err := os.ReadFile(hookOut)
	if err != nil {
		t.Fatal(err)
	}
	if want := "publish_failing example.com\npublish_failing example.com\npublish_failing cf\nreload_failed \n"; string(b) != want {
		t.Errorf("exec hook saw\n%s\nwant\n%s", b, want)
	}
}

func TestSecondaryAlerts(t *testing.T) {
	hook := newHookServer(t)
	cfg := obsConfig(t, config.Alerts{Webhooks: []config.Webhook{{URL: hook.URL}}})
	o := New(cfg, prometheus.NewRegistry(), slog.New(slog.DiscardHandler))
	now := obsT0
	o.now = func() time.Time { return now }
	secs := []dnsserver.SecondaryState{{Addr: netip.MustParseAddrPort("127.0.0.2:53"), Target: 8, Serial: 7, Acked: true, Notified: obsT0}}
	lookup := func(string) []dnsserver.SecondaryState { return secs }
	for _, after := range []time.Duration{time.Minute, 6 * time.Minute, 7 * time.Minute} {
		now = obsT0.Add(after)
		o.checkSecondaries([]string{"example.com"}, lookup)
	}
	o.Close()
	want := "zonerw: secondary 127.0.0.2:53 of example.com has not caught up (serial 7, want 8, 6m0s after the NOTIFY)"
	if got := hook.got(); len(got) != 1 || got[0] != want {
		t.Errorf("got %q, want [%q]", got, want)
	}
}

// TestNilObserver: the hooks are safe where no observer was built.
func TestNilObserver(t *testing.T) {
	var o *Observer
	o.Record(failover.Outcome{Decisions: []failover.Decision{{Service: "web"}}})
	o.ZonePublished("example.com", 1)
	o.PublishFailed("example.com", errors.New("x"))
	o.ProviderPublished("cf", nil)
	o.Reloaded(nil, errors.New("x"))
	o.SetReady()
	o.Close()
	jobs := []failover.Job{{Service: "web"}}
	if got := o.WrapJobs(jobs); len(got) != 1 || got[0].Service != "web" {
		t.Errorf("wrapJobs on nil = %+v", got)
	}
}

// TestZoneNotStored: a version served but not stored sets the zone's
// serial to what is served, counts a failed publish, and raises the
// publish alert (a restart would not know the version).
func TestZoneNotStored(t *testing.T) {
	hook := newHookServer(t)
	cfg := obsConfig(t, config.Alerts{Webhooks: []config.Webhook{{URL: hook.URL}}})
	reg := prometheus.NewRegistry()
	o := New(cfg, reg, slog.New(slog.DiscardHandler))
	o.ZonePublished("example.com", 2026120300)
	o.ZoneNotStored("example.com", 2026120301, errors.New("zone example.com: not stored: journal: no space left on device"))
	out := gather(t, reg)
	for _, want := range []string{
		`zonerw_zone_serial{zone="example.com"} 2.026120301e+09`,
		`zonerw_zone_publishes_total{result="error",zone="example.com"} 1`,
		`zonerw_zone_publishes_total{result="ok",zone="example.com"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	o.Close()
	want := []string{"zonerw: publishing example.com failed (zone example.com: not stored: journal: no space left on device)"}
	if got := hook.got(); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Errorf("webhook got %q, want %q", got, want)
	}
}
