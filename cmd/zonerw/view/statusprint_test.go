package view

import (
	"bytes"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones/provider"
	"github.com/zonerw/zonerw/zones/publish"
)

func TestPrintStatus(t *testing.T) {
	now := time.Date(2026, 11, 22, 3, 10, 0, 0, time.UTC)
	cfg := &config.Config{Services: []config.Service{{
		Name: "web", Rise: 2, Fall: 3,
		Targets: []config.Target{{Name: "main"}, {Name: "backup"}},
	}, {Name: "mail", Targets: []config.Target{{Name: "mx1"}}}}}
	v := Status{
		Daemon: true,
		Services: failover.State{"web": {
			Active:      "backup",
			ActiveSince: now.Add(-5 * time.Minute),
			Reason:      "pinned to backup by operator",
			Pin:         &failover.Pin{Target: "backup", Until: now.Add(time.Hour), Reason: "disk swap"},
			Targets: map[string]*failover.TargetState{
				"main":   {Up: false, Successes: 1, LastProbe: now.Add(-2 * time.Second), LastReason: "HTTP 200 in 3ms"},
				"backup": {Up: true, Failures: 2, LastProbe: now.Add(-2 * time.Second), LastReason: "connect: connection refused"},
			},
		}},
		Zones: map[string]Zone{"example.com": {Serial: 2026112203, Secondaries: []Secondary{
			{Address: "127.0.0.2:53", Serial: 2026112203, Target: 2026112203, Acked: true, CatchUp: "4ms"},
			{Address: "127.0.0.3:53", Serial: 2026112202, Target: 2026112203, Notified: now.Add(-90 * time.Second), LastError: "i/o timeout"},
		}}},
		Providers: []provider.Status{{Name: "cf", Zone: "example.org.", Endpoint: "https://api.cloudflare.com/client/v4", LastSuccess: now.Add(-time.Minute),
			Records: []provider.RecordStatus{{Name: "www", Type: "A", Service: "web", Want: []netip.Addr{netip.MustParseAddr("127.0.0.12")},
				Live: []netip.Addr{netip.MustParseAddr("127.0.0.12")}, Read: true, VerifiedAt: now.Add(-time.Minute), Proxied: true}}},
			{Name: "bind", Zone: "example.net.", Endpoint: "127.0.0.1:53", LastSuccess: now.Add(-time.Hour), LastError: "bind: refused",
				LastErrorAt: now.Add(-time.Minute), Failure: "credentials", NextAttempt: now.Add(4 * time.Minute),
				Records: []provider.RecordStatus{{Name: "@", Type: "A", Service: "web", Want: []netip.Addr{netip.MustParseAddr("127.0.0.12")},
					Live: []netip.Addr{netip.MustParseAddr("127.0.0.11")}, Read: true, VerifiedAt: now.Add(-time.Minute)}}}},
	}
	var b bytes.Buffer
	PrintStatus(&b, cfg, v, now)
	out := b.String()
	for _, want := range []string{
		"service web: active backup (pinned to backup until ",
		": disk swap)",
		"  moved " + now.Add(-5*time.Minute).Local().Format("2006-01-02 15:04:05") + " (5m0s ago): pinned to backup by operator\n",
		"main    DOWN   1/2 successes",
		"backup  up     2/3 failures",
		"(2s ago)",
		"connect: connection refused",
		"service mail: never run",
		"provider cf: zone example.org. at https://api.cloudflare.com/client/v4, last success " + now.Add(-time.Minute).Local().Format("2006-01-02 15:04:05") + " (1m0s ago)\n",
		"  www.example.org. A  web      127.0.0.12 (proxied)  " + now.Add(-time.Minute).Local().Format("2006-01-02 15:04:05") + " (1m0s ago)  -\n",
		"  FAILING (credentials) since " + now.Add(-time.Minute).Local().Format("2006-01-02 15:04:05") + " (1m0s ago): bind: refused\n",
		"  next attempt " + now.Add(4*time.Minute).Local().Format("2006-01-02 15:04:05") + " (in 4m0s), or at once when the token, key or config changes\n",
		"  example.net. A  web      127.0.0.11  " + now.Add(-time.Minute).Local().Format("2006-01-02 15:04:05") + " (1m0s ago)  127.0.0.12\n",
		"127.0.0.2:53  2026112203  in sync (caught up in 4ms)",
		"127.0.0.3:53  2026112202  BEHIND: want 2026112203, 1m30s since the NOTIFY, NOTIFY not acknowledged, last error: i/o timeout",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "no daemon running") {
		t.Errorf("a daemon's status says there is none:\n%s", out)
	}
}

// TestPrintStatusOfAPoolAndADrill: a pool's members, a drill in
// progress and the last drill's report.
func TestPrintStatusOfAPoolAndADrill(t *testing.T) {
	now := time.Date(2026, 12, 1, 4, 1, 0, 0, time.UTC)
	cfg := &config.Config{Services: []config.Service{
		{Name: "pool", Mode: "pool", Rise: 1, Fall: 2, Targets: []config.Target{{Name: "a"}, {Name: "b"}, {Name: "c"}}},
		{Name: "web", Rise: 1, Fall: 2, Targets: []config.Target{{Name: "main"}, {Name: "backup"}}},
	}}
	up := func() *failover.TargetState { return &failover.TargetState{Up: true} }
	v := Status{Daemon: true, Services: failover.State{
		"pool": {Active: "a", Members: []string{"a", "c"}, Targets: map[string]*failover.TargetState{"a": up(), "b": {}, "c": up()}},
		"web": {Active: "backup", Targets: map[string]*failover.TargetState{"main": up(), "backup": up()},
			Pin: &failover.Pin{Target: "backup", From: "main", Since: now.Add(-time.Minute), Until: now.Add(time.Minute), Drill: true},
			LastDrill: &failover.DrillReport{From: "main", Target: "backup", Start: now.Add(-24 * time.Hour), For: 2 * time.Minute,
				Result: failover.DrillPassed, Reason: "backup answered all 12 probes",
				Follow: []failover.DrillFollow{{Destination: "secondary 127.0.0.2:53 (example.com)", There: 12 * time.Millisecond, Back: 15 * time.Millisecond}}}},
	}}
	var b bytes.Buffer
	PrintStatus(&b, cfg, v, now)
	out := b.String()
	for _, want := range []string{
		"service pool: pool serves a,c\n",
		"service web: active backup (failover drill: moved from main until " + now.Add(time.Minute).Local().Format(time.RFC3339) + ")\n",
		"  last drill " + now.Add(-24*time.Hour).Local().Format("2006-01-02 15:04:05") + " (24h0m0s ago): main to backup for 2m0s, passed: backup answered all 12 probes\n",
		"    secondary 127.0.0.2:53 (example.com)  12ms   15ms  -\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
}

// TestPrintStatusSignatures: a signed zone's row says when its oldest
// signatures expire, and shouts once they have; an unsigned zone's says
// nothing of signatures; a zone that cannot be published keeps its error.
func TestPrintStatusSignatures(t *testing.T) {
	now := time.Date(2026, 11, 22, 3, 10, 0, 0, time.UTC)
	v := Status{Daemon: true, Zones: map[string]Zone{
		"signed.example":  {Serial: 7, SignaturesExpire: now.Add(13*24*time.Hour + 12*time.Hour)},
		"soon.example":    {Serial: 8, SignaturesExpire: now.Add(90 * time.Minute), Error: "template: line 3: bad"},
		"expired.example": {Serial: 9, SignaturesExpire: now.Add(-5 * time.Minute)},
		"plain.example":   {Serial: 10},
	}}
	var b bytes.Buffer
	PrintStatus(&b, &config.Config{}, v, now)
	out := b.String()
	at := func(d time.Duration) string { return now.Add(d).Local().Format("2006-01-02 15:04") }
	for _, want := range []string{
		"signatures expire " + at(13*24*time.Hour+12*time.Hour) + " (in 13.5 days)",
		"template: line 3: bad; signatures expire " + at(90*time.Minute) + " (in 1h30m0s)",
		"signatures EXPIRED " + at(-5*time.Minute) + " (5m0s ago)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	plain := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "plain.example ") {
			plain++
			if strings.Contains(line, "signatures") {
				t.Errorf("an unsigned zone's row speaks of signatures: %q", line)
			}
		}
	}
	if plain != 1 {
		t.Errorf("%d rows for plain.example, want 1:\n%s", plain, out)
	}
}

// TestPrintStatusFailingDestination: a zone whose output file cannot be
// written says so in its row, with the error and the next attempt; a
// destination that recovered (no last error) is not mentioned.
func TestPrintStatusFailingDestination(t *testing.T) {
	now := time.Date(2026, 12, 3, 11, 0, 0, 0, time.UTC)
	v := Status{Daemon: true, Zones: map[string]Zone{
		"example.com": {Serial: 2026120308, Destinations: []Destination{
			{Name: "nameserver:example.com", Holds: "serial 2026120308", LastSuccess: now},
			{Name: "file:example.com", Holds: "serial 2026120307", Pending: true, Failures: 3,
				LastError: "write out/example.com.zone: no space left on device", LastErrorAt: now.Add(-2 * time.Second), RetryAt: now.Add(8 * time.Second)},
		}},
		"example.net": {Serial: 5, Destinations: []Destination{{Name: "file:example.net", Holds: "serial 5", LastSuccess: now}}},
	}}
	var b bytes.Buffer
	PrintStatus(&b, &config.Config{}, v, now)
	out := b.String()
	want := "file:example.com FAILING (3 attempts): write out/example.com.zone: no space left on device; next attempt in 8s"
	if !strings.Contains(out, want) {
		t.Errorf("status lacks %q:\n%s", want, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "nameserver:example.com") || strings.HasPrefix(line, "example.net ") && strings.Contains(line, "FAILING") {
			t.Errorf("a destination that works is reported: %q", line)
		}
	}
}

// TestZoneErrorSaysFailoversAreHeld: a zone whose template broke before
// any compile (a start) says that failovers do not reach it; one that
// keeps a compile from before only says the template is broken.
func TestZoneErrorSaysFailoversAreHeld(t *testing.T) {
	held := ZoneError(publish.ZoneStatus{Broken: "t.tmpl:3: bad", Held: true})
	if held != "failovers held back until a reload: template broken: t.tmpl:3: bad" {
		t.Errorf("held: %q", held)
	}
	if got := ZoneError(publish.ZoneStatus{Broken: "t.tmpl:3: bad"}); got != "template broken: t.tmpl:3: bad" {
		t.Errorf("with a compile: %q", got)
	}
	if got := ZoneError(publish.ZoneStatus{Held: true}); got != "" {
		t.Errorf("not broken: %q", got)
	}
}

// Problems is what makes `zonerw status` exit 1: each thing that needs a
// person, and nothing for a healthy daemon whose main target is down.
func TestProblems(t *testing.T) {
	now := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	healthy := Status{
		Daemon: true,
		Services: failover.State{"web": {Active: "backup", Targets: map[string]*failover.TargetState{
			"main": {Up: false, LastReason: "connect: connection refused"}, "backup": {Up: true}}}},
		Zones: map[string]Zone{"example.com": {Serial: 2026120301,
			Destinations:     []Destination{{Name: "nameserver:example.com", Holds: "2026120301"}},
			SignaturesExpire: now.Add(48 * time.Hour)}},
		Providers: []provider.Status{{Name: "cf", Records: []provider.RecordStatus{{Name: "www"}}}},
	}
	if got := Problems(healthy, now); len(got) != 0 {
		t.Fatalf("a healthy status with main down has problems: %q", got)
	}
	cases := []struct {
		name  string
		spoil func(*Status)
		want  string
	}{
		{"refused reload", func(v *Status) { v.ReloadRefused = &Refusal{At: now, Error: "zonerw.yaml: line 3: bad"} }, "reload refused: zonerw.yaml: line 3: bad"},
		{"held zone", func(v *Status) { v.Held = []string{"example.com"} }, "zone example.com held"},
		{"zone error", func(v *Status) {
			z := v.Zones["example.com"]
			z.Error = "template broken: example.com.tmpl:4"
			v.Zones["example.com"] = z
		}, "zone example.com: template broken: example.com.tmpl:4"},
		{"failing file", func(v *Status) {
			z := v.Zones["example.com"]
			z.Destinations = append(slices.Clone(z.Destinations), Destination{Name: "file:example.com", LastError: "no space left on device", Failures: 3})
			v.Zones["example.com"] = z
		}, "zone example.com: file:example.com FAILING (3 attempts): no space left on device"},
		{"expired signatures", func(v *Status) {
			z := v.Zones["example.com"]
			z.SignaturesExpire = now.Add(-time.Minute)
			v.Zones["example.com"] = z
		}, "zone example.com: signatures expired"},
		{"failing provider", func(v *Status) {
			v.Providers = []provider.Status{{Name: "cf", LastError: "token refused"}}
		}, "provider cf FAILING: token refused"},
		{"standing drift", func(v *Status) {
			v.Providers = []provider.Status{{Name: "cf", Records: []provider.RecordStatus{{Name: "www", Drift: "www A is 192.0.2.9, want 127.0.0.11"}}}}
		}, "provider cf DRIFT: www A is 192.0.2.9, want 127.0.0.11"},
		{"failing provider destination", func(v *Status) {
			v.ProviderDestinations = []Destination{{Name: "provider:cf", LastError: "HTTP 503"}}
		}, "provider:cf FAILING: HTTP 503"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := healthy
			v.Zones = maps.Clone(healthy.Zones)
			tc.spoil(&v)
			if got := Problems(v, now); len(got) != 1 || !strings.HasPrefix(got[0], tc.want) {
				t.Errorf("Problems = %q, want one beginning %q", got, tc.want)
			}
		})
	}
}
