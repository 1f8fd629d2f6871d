package view

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones/provider"
)

// TestPrintExplain explains a real engine after a failover, with a
// failback delay and a flap governor, and checks what an operator reads.
func TestPrintExplain(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 3, 10, 0, 0, time.UTC)
	svc := failover.Service{Name: "web", Targets: []string{"main", "backup"}, Rise: 2, Fall: 2,
		FailbackDelay: time.Minute, MaxSwitches: 3, SwitchWindow: 10 * time.Minute}
	e := failover.NewEngine([]failover.Service{svc}, nil)
	at := t0
	for i, mainOK := range []bool{true, false, false, true} {
		at = t0.Add(time.Duration(i) * 10 * time.Second)
		e.Apply(failover.Round{At: at, Observations: []failover.Observation{
			{Service: "web", Target: "main", OK: mainOK, Reason: map[bool]string{true: "HTTP 200", false: "connect: connection refused"}[mainOK], Latency: 3 * time.Millisecond, At: at},
			{Service: "web", Target: "backup", OK: true, Reason: "HTTP 200", Latency: 5 * time.Millisecond, At: at},
		}})
	}
	every10s := func(t time.Time) time.Time { return t.Truncate(10 * time.Second).Add(10 * time.Second) }
	x, err := e.Explain("web", at, every10s)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	PrintExplain(&b, Explain{Daemon: true, Explanation: x}, at)
	out := b.String()
	for _, want := range []string{
		"web serves backup since 2026-11-22T03:10:20Z (10s ago)\n",
		"moved because: main down after 2 consecutive failures: connect: connection refused",
		"now:           backup is up and every more preferred target is down",
		"rules:         rise 2, fall 2, failback delay 1m0s, flap governor 3 switches per 10m0s (release auto), all down: keep",
		"flap governor: 1 of 3 switches used in the last 10m0s\n",
		"main    1     DOWN   1/2 successes  +xx+",
		"backup  2     up     4 ok           ++++",
		"HTTP 200 (3ms)",
		// main meets rise at 03:10:40, then waits the minute.
		"-> main, earliest 2026-11-22T03:11:40Z (in 1m10s), if main passes 1 more probe(s) in a row (rise 2), then stays up for the failback delay 1m0s",
		"earliest possible switch: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explain lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "no daemon running") || strings.Contains(out, "governor would hold") {
		t.Errorf("explain says too much:\n%s", out)
	}
}

// The provider records that carry the service are shown under the line
// that says what it serves, with the target their value belongs to, so a
// publish that did not land is seen at once.
func TestPrintExplainProviders(t *testing.T) {
	now := time.Date(2026, 11, 22, 3, 10, 0, 0, time.UTC)
	cfg := &config.Config{Services: []config.Service{{Name: "web", Targets: []config.Target{
		{Name: "main", IPv4: "127.0.0.11"}, {Name: "backup", IPv4: "127.0.0.12"}}}}}
	addr := netip.MustParseAddr
	sts := []provider.Status{
		{Name: "cf", Zone: "example.com.", LastError: "cf: the API token from token_file /etc/zonerw/cf.token was refused (HTTP 403): it is wrong, expired or revoked",
			Failure: "credentials", NextAttempt: now.Add(4 * time.Minute), Records: []provider.RecordStatus{
				{Name: "www", Type: "A", Service: "web", Want: []netip.Addr{addr("127.0.0.12")}, Live: []netip.Addr{addr("127.0.0.11")},
					Read: true, VerifiedAt: now.Add(-3 * time.Minute)},
				{Name: "mail", Type: "A", Service: "mail", Read: true},
			}},
		{Name: "bind", Zone: "example.net.", Records: []provider.RecordStatus{
			{Name: "@", Type: "A", Service: "web", Want: []netip.Addr{addr("127.0.0.12")}, Live: []netip.Addr{addr("127.0.0.12")},
				Read: true, VerifiedAt: now.Add(-time.Minute)},
			{Name: "www", Type: "AAAA", Service: "web"},
		}},
	}
	v := Explain{Explanation: failover.Explanation{Service: "web", Serving: []string{"backup"}},
		Providers: ProviderRecords(cfg, "web", sts)}
	var b bytes.Buffer
	PrintExplain(&b, v, now)
	out := b.String()
	for _, want := range []string{
		"web serves backup\n  provider cf: www.example.com. A holds 127.0.0.11 (main) (read 2026-11-22T03:07:00Z (3m0s ago)); " +
			"PENDING 127.0.0.12 (backup): the last publish failed (credentials): cf: the API token from token_file /etc/zonerw/cf.token " +
			"was refused (HTTP 403): it is wrong, expired or revoked; next attempt 2026-11-22T03:14:00Z (in 4m0s)\n",
		"  provider bind: example.net. A holds 127.0.0.12 (backup) (read 2026-11-22T03:09:00Z (1m0s ago)); in sync\n",
		"  provider bind: www.example.net. AAAA not read yet\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explain lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "mail.example.com") {
		t.Errorf("explain shows a record of another service:\n%s", out)
	}
}
