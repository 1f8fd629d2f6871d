package metrics

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/zonerw/zonerw/dnsserver"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones/provider"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// fixture is a registry with every metric created and every collector
// registered over fixed inputs.
func fixture(t *testing.T) (*prometheus.Registry, *Metrics) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	m := New(reg, "v1.2.3")
	state := failover.State{"web": {
		Active: "backup",
		Targets: map[string]*failover.TargetState{
			"main":   {Up: false},
			"backup": {Up: true},
		},
		Pin: &failover.Pin{Target: "backup"},
		LastDrill: &failover.DrillReport{Start: t0.Add(-time.Hour), Result: failover.DrillPassed, Follow: []failover.DrillFollow{
			{Destination: "secondary 127.0.0.2:53 (example.com)", There: 12 * time.Millisecond, Back: 15 * time.Millisecond},
			{Destination: "provider:cf", There: 250 * time.Millisecond, Error: "back: did not follow within 2m0s"},
		}},
	}, "pool": {
		Active:  "a",
		Members: []string{"a", "c"},
		Targets: map[string]*failover.TargetState{"a": {Up: true}, "b": {Up: false}, "c": {Up: true}},
	}}
	secs := map[string][]dnsserver.SecondaryState{"example.com": {
		{Addr: netip.MustParseAddrPort("127.0.0.2:53"), Target: 7, Serial: 7, Acked: true, Notified: t0.Add(-time.Minute),
			NotifySent: 4, NotifyAcked: 3},
		{Addr: netip.MustParseAddrPort("127.0.0.3:53"), Target: 7, Serial: 6, Notified: t0.Add(-90 * time.Second), LastError: "timeout",
			NotifySent: 9, NotifyAcked: 1, NotifyFailed: 2},
	}}
	dns := dnsserver.Stats{
		QueryCounts: []dnsserver.QueryCount{
			{Zone: "", Type: "A", Rcode: "REFUSED", Count: 5},
			{Zone: "example.com.", Type: "A", Rcode: "NOERROR", Count: 30},
			{Zone: "example.com.", Type: "AAAA", Rcode: "NXDOMAIN", Count: 2},
			{Zone: "example.com.", Type: "AXFR", Rcode: "NOERROR", Count: 2},
			{Zone: "example.com.", Type: "IXFR", Rcode: "NOERROR", Count: 3},
		},
		TransferCounts: []dnsserver.TransferCount{
			{Zone: "example.com.", Type: "AXFR", Result: "ok", Count: 2},
			{Zone: "example.com.", Type: "IXFR", Result: "ok", Count: 1},
			{Zone: "example.com.", Type: "IXFR", Result: "uptodate", Count: 2},
		},
		Dropped:          1,
		TCPConns:         3,
		TCPConnsEvicted:  4,
		RateLimitDropped: 100, RateLimitSlipped: 99,
		LogsSuppressed: []dnsserver.LogCount{{Message: "transfer refused", Count: 12}},
	}
	provs := []provider.Status{{Name: "cf", Zone: "example.net", LastSuccess: t0.Add(-30 * time.Second),
		Records: []provider.RecordStatus{
			{Read: true, Want: addrs("127.0.0.12"), Live: addrs("127.0.0.12")},
			{Read: true, Want: addrs("127.0.0.12"), Live: addrs("127.0.0.11")},
		}}}
	now := func() time.Time { return t0 }
	reg.MustRegister(
		NewStateCollector(func() failover.State { return state }),
		NewDNSCollector(func() dnsserver.Stats { return dns }),
		NewSecondaryCollector([]string{"example.com"}, func(z string) []dnsserver.SecondaryState { return secs[z] }, now),
		NewProviderCollector(func() []provider.Status { return provs }, now),
		NewSignatureCollector(func() map[string]time.Time {
			return map[string]time.Time{"example.com": t0.Add(13 * 24 * time.Hour), "example.net": {}}
		}),
	)
	m.Probe("web", "main", false, 250*time.Millisecond)
	m.Probe("web", "backup", true, 4*time.Millisecond)
	m.Switch("web", "main", "backup", "target_down")
	m.Record(failover.Outcome{
		Decisions: []failover.Decision{{Service: "pool", To: "a", Serving: []string{"a", "c"}, Pool: true, Left: []string{"b"}}},
		Events: []failover.Event{{Kind: failover.EventDrillFinished, Service: "web", Drill: &failover.DrillReport{Result: failover.DrillPassed}},
			{Kind: failover.EventDrillSkipped, Service: "web"}},
	})
	m.Event("web", "all_down")
	m.ZonePublished("example.com", 2025030101)
	m.ZonePublishFailed("example.com")
	m.ProviderPublished("cf", true)
	m.Reloaded(false, t0)
	m.Alert("webhook 127.0.0.1", "sent")
	m.Alert("webhook 127.0.0.1", "retry")
	return reg, m
}

func addrs(s ...string) []netip.Addr {
	var out []netip.Addr
	for _, a := range s {
		out = append(out, netip.MustParseAddr(a))
	}
	return out
}

// TestLint runs promlint over every metric zonerw exports and checks the
// zonerw_ prefix.
func TestLint(t *testing.T) {
	reg, _ := fixture(t)
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
	if len(mfs) < 25 {
		t.Errorf("gathered %d metric families, want every metric (at least 25)", len(mfs))
	}
	linted := map[string]bool{}
	for _, mf := range mfs {
		linted[mf.GetName()] = true
		if !strings.HasPrefix(mf.GetName(), "zonerw_") {
			t.Errorf("metric %s lacks the zonerw_ prefix", mf.GetName())
		}
	}
	// The fixture must hold every labelled DNS series (queries and
	// transfers appear only once counted), or promlint never sees them.
	for _, name := range []string{"zonerw_dns_queries_total", "zonerw_dns_transfers_total", "zonerw_dns_notify_sent_total",
		"zonerw_dns_notify_acknowledged_total", "zonerw_dns_notify_failed_total"} {
		if !linted[name] {
			t.Errorf("%s not gathered, so not linted", name)
		}
	}
}

func TestValues(t *testing.T) {
	reg, _ := fixture(t)
	tests := []struct {
		name, want string
	}{
		{"zonerw_failover_active_target", `
# HELP zonerw_failover_active_target 1 on each target the service points at, 0 on its other targets.
# TYPE zonerw_failover_active_target gauge
zonerw_failover_active_target{service="pool",target="a"} 1
zonerw_failover_active_target{service="pool",target="b"} 0
zonerw_failover_active_target{service="pool",target="c"} 1
zonerw_failover_active_target{service="web",target="backup"} 1
zonerw_failover_active_target{service="web",target="main"} 0
`},
		{"zonerw_failover_target_up", `
# HELP zonerw_failover_target_up 1 if the target counts as up after the rise/fall thresholds, else 0.
# TYPE zonerw_failover_target_up gauge
zonerw_failover_target_up{service="pool",target="a"} 1
zonerw_failover_target_up{service="pool",target="b"} 0
zonerw_failover_target_up{service="pool",target="c"} 1
zonerw_failover_target_up{service="web",target="backup"} 1
zonerw_failover_target_up{service="web",target="main"} 0
`},
		{"zonerw_dns_notify_failed_total", `
# HELP zonerw_dns_notify_failed_total Published versions for which the secondary acknowledged no NOTIFY after every retry; a NOTIFY cancelled by a newer version or by shutdown does not count.
# TYPE zonerw_dns_notify_failed_total counter
zonerw_dns_notify_failed_total{secondary="127.0.0.2:53",zone="example.com"} 0
zonerw_dns_notify_failed_total{secondary="127.0.0.3:53",zone="example.com"} 2
`},
		{"zonerw_dns_queries_dropped_total", `
# HELP zonerw_dns_queries_dropped_total Messages with QR set, not answered.
# TYPE zonerw_dns_queries_dropped_total counter
zonerw_dns_queries_dropped_total 1
`},
		{"zonerw_secondary_behind_seconds", `
# HELP zonerw_secondary_behind_seconds Seconds since the NOTIFY for a serial the secondary has not reported yet; 0 when caught up.
# TYPE zonerw_secondary_behind_seconds gauge
zonerw_secondary_behind_seconds{secondary="127.0.0.2:53",zone="example.com"} 0
zonerw_secondary_behind_seconds{secondary="127.0.0.3:53",zone="example.com"} 90
`},
		{"zonerw_provider_records_in_sync", `
# HELP zonerw_provider_records_in_sync Records last read from the provider holding exactly the wanted addresses.
# TYPE zonerw_provider_records_in_sync gauge
zonerw_provider_records_in_sync{provider="cf",zone="example.net"} 1
`},
		{"zonerw_provider_last_success_age_seconds", `
# HELP zonerw_provider_last_success_age_seconds Seconds since the provider's last successful publish or verify.
# TYPE zonerw_provider_last_success_age_seconds gauge
zonerw_provider_last_success_age_seconds{provider="cf",zone="example.net"} 30
`},
		{"zonerw_zone_signatures_expire_timestamp_seconds", `
# HELP zonerw_zone_signatures_expire_timestamp_seconds Unix time at which the oldest DNSSEC signatures of the version the secondaries hold expire (signed zones only).
# TYPE zonerw_zone_signatures_expire_timestamp_seconds gauge
zonerw_zone_signatures_expire_timestamp_seconds{zone="example.com"} 1.7419536e+09
`},
		{"zonerw_zone_serial", `
# HELP zonerw_zone_serial SOA serial of the version of each zone last handed to the nameserver.
# TYPE zonerw_zone_serial gauge
zonerw_zone_serial{zone="example.com"} 2.025030101e+09
`},
		{"zonerw_config_last_reload_successful", `
# HELP zonerw_config_last_reload_successful 1 if the last config reload succeeded (or none was tried), 0 if it failed.
# TYPE zonerw_config_last_reload_successful gauge
zonerw_config_last_reload_successful 0
`},
		{"zonerw_failover_switches_total", `
# HELP zonerw_failover_switches_total Changes of a service's active target, by from, to and the kind of reason.
# TYPE zonerw_failover_switches_total counter
zonerw_failover_switches_total{from="main",reason="target_down",service="web",to="backup"} 1
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := testutil.GatherAndCompare(reg, strings.NewReader(tt.want), tt.name); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestProbeHistogram(t *testing.T) {
	reg, _ := fixture(t)
	n, err := testutil.GatherAndCount(reg, "zonerw_probe_duration_seconds")
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("probe histograms: %d series, want 2 (main and backup)", n)
	}
}

func TestBehind(t *testing.T) {
	tests := []struct {
		name string
		s    dnsserver.SecondaryState
		want time.Duration
	}{
		{"nothing published", dnsserver.SecondaryState{}, 0},
		{"caught up", dnsserver.SecondaryState{Target: 5, Serial: 5, Notified: t0.Add(-time.Hour)}, 0},
		{"behind", dnsserver.SecondaryState{Target: 5, Serial: 4, Notified: t0.Add(-time.Minute)}, time.Minute},
		{"never answered", dnsserver.SecondaryState{Target: 5, Notified: t0.Add(-2 * time.Second)}, 2 * time.Second},
		{"not notified yet", dnsserver.SecondaryState{Target: 5, Serial: 4}, 0},
		{"clock behind the notify", dnsserver.SecondaryState{Target: 5, Serial: 4, Notified: t0.Add(time.Second)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Behind(tt.s, t0); got != tt.want {
				t.Errorf("Behind = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestTwoRegistries proves there is no process-wide state: two sets of
// metrics live side by side.
func TestTwoRegistries(t *testing.T) {
	_, a := fixture(t)
	_, b := fixture(t)
	a.Probe("web", "main", true, time.Millisecond)
	if got := testutil.ToFloat64(b.probeResults.WithLabelValues("web", "main", "ok")); got != 0 {
		t.Errorf("second registry saw the first one's probe: %v", got)
	}
}

// TestPoolAndDrillValues: a pool's members are its active targets and
// counted; its changes are counted per target, not as switches; a drill's
// report becomes gauges, a destination that did not follow left out.
func TestPoolAndDrillValues(t *testing.T) {
	reg, _ := fixture(t)
	for name, want := range map[string]string{
		"zonerw_failover_serving_targets": `
# HELP zonerw_failover_serving_targets How many targets the service serves: 1, a pool's members, or all of them under all_down: all.
# TYPE zonerw_failover_serving_targets gauge
zonerw_failover_serving_targets{service="pool"} 2
zonerw_failover_serving_targets{service="web"} 1
`,
		"zonerw_failover_pool_changes_total": `
# HELP zonerw_failover_pool_changes_total Targets joining or leaving a pool (mode: pool), by target and change: joined or left.
# TYPE zonerw_failover_pool_changes_total counter
zonerw_failover_pool_changes_total{change="left",service="pool",target="b"} 1
`,
		"zonerw_drill_runs_total": `
# HELP zonerw_drill_runs_total Failover drills by result: passed, failed, aborted or skipped.
# TYPE zonerw_drill_runs_total counter
zonerw_drill_runs_total{result="passed",service="web"} 1
zonerw_drill_runs_total{result="skipped",service="web"} 1
`,
		"zonerw_drill_follow_seconds": `
# HELP zonerw_drill_follow_seconds Time each destination took to follow the last drill: direction there (to the drill's target) or back; absent where it did not follow.
# TYPE zonerw_drill_follow_seconds gauge
zonerw_drill_follow_seconds{destination="provider:cf",direction="there",service="web"} 0.25
zonerw_drill_follow_seconds{destination="secondary 127.0.0.2:53 (example.com)",direction="back",service="web"} 0.015
zonerw_drill_follow_seconds{destination="secondary 127.0.0.2:53 (example.com)",direction="there",service="web"} 0.012
`,
		"zonerw_drill_last_passed": `
# HELP zonerw_drill_last_passed 1 if the service's last failover drill passed, 0 if it failed or was aborted; absent before the first.
# TYPE zonerw_drill_last_passed gauge
zonerw_drill_last_passed{service="web"} 1
`,
	} {
		if err := testutil.GatherAndCompare(reg, strings.NewReader(want), name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
