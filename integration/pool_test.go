package integration

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// poolYAML is a daemon whose web service is a pool of three targets on
// 127.0.0.11-13 (rise 1, fall 2, probed every second), served to an NSD
// secondary.
func poolYAML(t *testing.T, webPort, dnsPort int, nsd, extra string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "zonerw.yaml")
	writeFile(t, cfg, fmt.Sprintf(`state_dir: state
server:
  listen: ["127.0.0.1:%d"]
services:
  - name: web
    mode: pool
%s    every: "@every 1s"
    check: {type: http, url: "http://{addr}:%d/", timeout: 500ms}
    rise: 1
    fall: 2
    targets:
      - {name: a, ipv4: 127.0.0.11}
      - {name: b, ipv4: 127.0.0.12}
      - {name: c, ipv4: 127.0.0.13}
zones:
  - name: example.com
    template: example.com.tmpl
    allow_transfer: ["127.0.0.0/8"]
    secondaries: [{address: "%s"}]
`, dnsPort, extra, webPort, nsd))
	writeFile(t, filepath.Join(dir, "example.com.tmpl"), cronTemplate)
	return cfg
}

// lookupSet is name's A records at server, sorted and joined by ",".
func lookupSet(server, name string) string {
	as := strings.Split(lookupA(server, name), ",")
	slices.Sort(as)
	return strings.Join(as, ",")
}

// waitForSet polls server until name's A records are want (sorted).
func waitForSet(t *testing.T, server, name, want string, deadline time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	last := ""
	for time.Since(start) < deadline {
		if last = lookupSet(server, name); last == want {
			return time.Since(start)
		}
		time.Sleep(5 * time.Millisecond) // the polling interval
	}
	t.Fatalf("%s at %s: A %q after %s, want %q", name, server, last, deadline, want)
	return 0
}

// TestPoolLosesItsMembersAtAnNSDSecondary: a pool of three real web
// servers serves every one that answers; stopping them one by one takes
// each out of the records the NSD secondary serves, and with the last one
// gone the pool keeps it (all_down: keep, never an empty set). Then
// status, explain and the audit log speak of the members.
func TestPoolLosesItsMembersAtAnNSDSecondary(t *testing.T) {
	needTool(t, "nsd", "nsd")
	a := startWeb(t, "127.0.0.11", 0)
	b := startWeb(t, "127.0.0.12", a.port())
	c := startWeb(t, "127.0.0.13", a.port())
	dnsPort := freePort(t, "127.0.0.1")
	primary := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	nsd := newNSD(t, primary)
	cfg := poolYAML(t, a.port(), dnsPort, nsd.addr, "")
	d := startServe(t, cfg)
	all := "127.0.0.11,127.0.0.12,127.0.0.13"
	waitForSet(t, primary, "www.example.com", all, 20*time.Second)
	nsd.start(t)
	waitForSet(t, nsd.addr, "www.example.com", all, 20*time.Second)

	for _, step := range []struct {
		stop *webServer
		want string
	}{
		{b, "127.0.0.11,127.0.0.13"},
		{a, "127.0.0.13"},
		{c, "127.0.0.13"}, // every member down: keep the last
	} {
		step.stop.stop()
		took := waitForSet(t, nsd.addr, "www.example.com", step.want, 20*time.Second)
		t.Logf("%s stopped: nsd serves %s after %s", step.stop.addr, step.want, took.Round(time.Millisecond))
	}
	// c was counted down (the all_down event), and nothing moved.
	waitForLogCount(t, d, "kind=all_down", 1, 10*time.Second)
	if got := lookupSet(nsd.addr, "www.example.com"); got != "127.0.0.13" {
		t.Fatalf("with every member down nsd serves %q, want the last one kept", got)
	}

	a.start()
	waitForSet(t, nsd.addr, "www.example.com", "127.0.0.11", 20*time.Second)
	b.start()
	c.start()
	waitForSet(t, nsd.addr, "www.example.com", all, 20*time.Second)
	if p, s := soaSerial(t, primary), soaSerial(t, nsd.addr); p != s {
		t.Fatalf("nsd holds serial %d, zonerw serves %d", s, p)
	}

	code, out, _ := runZonerw(t, "status", "-c", cfg)
	if code != 0 || !strings.Contains(out, "service web: pool serves a,b,c") {
		t.Fatalf("status: exit %d\n%s", code, out)
	}
	code, out, _ = runZonerw(t, "explain", "-c", cfg, "web")
	for _, want := range []string{"web serves a,b,c", "the pool serves every target that is up: a, b, c", "mode pool",
		"-> the pool serving b,c, earliest ", "if a fails 2 more probe(s) in a row (fall 2)"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("explain: exit %d, want %q in\n%s", code, want, out)
		}
	}
	code, out, _ = runZonerw(t, "log", "-c", cfg, "--since", "10m", "--service", "web")
	for _, want := range []string{"switch  web  a -> pool a,c  pool serves a,c: b left after 2 consecutive failures",
		"switch  web  a -> pool c  pool serves c: a left after 2 consecutive failures", "event  all_down  web"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("log: exit %d, want %q in\n%s", code, want, out)
		}
	}
	d.stop(t)
}

// TestPoolMinUpKeepsTheLastMembers: with min_up 2, losing two of three
// members leaves the last two addresses served, one of them down.
func TestPoolMinUpKeepsTheLastMembers(t *testing.T) {
	needTool(t, "nsd", "nsd")
	a := startWeb(t, "127.0.0.11", 0)
	b := startWeb(t, "127.0.0.12", a.port())
	startWeb(t, "127.0.0.13", a.port())
	dnsPort := freePort(t, "127.0.0.1")
	primary := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	nsd := newNSD(t, primary)
	cfg := poolYAML(t, a.port(), dnsPort, nsd.addr, "    min_up: 2\n")
	d := startServe(t, cfg)
	waitForSet(t, primary, "www.example.com", "127.0.0.11,127.0.0.12,127.0.0.13", 20*time.Second)
	nsd.start(t)
	waitForSet(t, nsd.addr, "www.example.com", "127.0.0.11,127.0.0.12,127.0.0.13", 20*time.Second)
	a.stop()
	waitForSet(t, nsd.addr, "www.example.com", "127.0.0.12,127.0.0.13", 20*time.Second)
	b.stop()
	// b goes down too: min_up 2 keeps it. Wait until zonerw has counted
	// b down (explain says so), then check nothing moved.
	pollAlive(t, d, 20*time.Second, "b to be counted down", func() bool {
		time.Sleep(100 * time.Millisecond) // each look runs zonerw explain
		_, out, _ := runZonerw(t, "explain", "-c", cfg, "web")
		return strings.Contains(out, "b kept although down, to serve at least min_up 2")
	})
	if got := lookupSet(nsd.addr, "www.example.com"); got != "127.0.0.12,127.0.0.13" {
		t.Fatalf("nsd serves %q, want b kept beside c (min_up 2)", got)
	}
	d.stop(t)
}
