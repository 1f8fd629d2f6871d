package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zonerw/zonerw/integration/providers"
)

// Issue 10: one destination that hangs or fails never delays another, and
// never stops zonerw serve from starting. Each test runs the real daemon
// with destinations that misbehave and watches the others publish.

// destStatus is a destination in `zonerw status --json`.
type destStatus struct {
	Name      string `json:"name"`
	Holds     string `json:"holds"`
	Pending   bool   `json:"pending"`
	LastError string `json:"last_error"`
	Failures  int    `json:"failures"`
}

// daemonStatus is the part of `zonerw status --json` these tests read.
type daemonStatus struct {
	Daemon bool `json:"daemon"`
	Zones  map[string]struct {
		Serial           uint32       `json:"serial"`
		Destinations     []destStatus `json:"destinations"`
		SignaturesExpire time.Time    `json:"signatures_expire"`
	} `json:"zones"`
	ProviderDestinations []destStatus `json:"provider_destinations"`
}

// failing reports whether a destination's last attempt failed.
func (s daemonStatus) failing() bool {
	all := slices.Clone(s.ProviderDestinations)
	for _, z := range s.Zones {
		all = append(all, z.Destinations...)
	}
	return slices.ContainsFunc(all, func(d destStatus) bool { return d.LastError != "" })
}

// dest finds a destination by name, in a zone's list or the providers'.
func (s daemonStatus) dest(name string) (destStatus, bool) {
	all := slices.Clone(s.ProviderDestinations)
	for _, z := range s.Zones {
		all = append(all, z.Destinations...)
	}
	i := slices.IndexFunc(all, func(d destStatus) bool { return d.Name == name })
	if i < 0 {
		return destStatus{}, false
	}
	return all[i], true
}

func statusJSON(t *testing.T, cfg string) daemonStatus {
	t.Helper()
	code, out, errOut := runZonerw(t, "status", "--json", "-c", cfg)
	if code != 0 && code != 1 {
		t.Fatalf("zonerw status --json: exit %d\n%s%s", code, out, errOut)
	}
	var s daemonStatus
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("zonerw status --json: %v\n%s", err, out)
	}
	if !s.Daemon {
		t.Fatalf("zonerw status did not reach the daemon:\n%s", out)
	}
	// A destination whose attempts fail needs a person: exit 1.
	if s.failing() && code != 1 {
		t.Fatalf("zonerw status --json: exit %d with a destination failing, want 1:\n%s", code, out)
	}
	return s
}

// waitStatus polls `zonerw status --json` until ok holds, and returns the
// status that satisfied it; after the deadline it fails with the last one.
func waitStatus(t *testing.T, d *daemonProc, cfg, what string, deadline time.Duration, ok func(daemonStatus) bool) daemonStatus {
	t.Helper()
	start := time.Now()
	for {
		if err, gone := exited(d); gone {
			t.Fatalf("zonerw serve exited (%v) while waiting for %s", err, what)
		}
		s := statusJSON(t, cfg)
		if ok(s) {
			return s
		}
		if time.Since(start) > deadline {
			t.Fatalf("no %s after %s; status: %+v", what, deadline, s)
		}
		time.Sleep(50 * time.Millisecond) // polling interval: each poll runs zonerw status
	}
}

// providersYAML is the providers section: cloudflare-example (zone
// example.com) and gandi-example (zone example.net) carrying www A of the
// web service, each with the token file in dir.
func providersYAML(t *testing.T, dir, cfURL, gandiURL string) string {
	t.Helper()
	writeFile(t, filepath.Join(dir, "token"), providerToken+"\n")
	var b strings.Builder
	b.WriteString("providers:\n")
	if cfURL != "" {
		fmt.Fprintf(&b, `  - name: cloudflare-example
    type: cloudflare
    zone: example.com
    token_file: token
    api_url: %s
    timeout: 30s
    verify_every: 1s
    records:
      - {name: www, type: A, service: web, ttl: 60s}
`, cfURL)
	}
	if gandiURL != "" {
		fmt.Fprintf(&b, `  - name: gandi-example
    type: gandi
    zone: example.net
    token_file: token
    api_url: %s
    timeout: 30s
    records:
      - {name: www, type: A, service: web, ttl: 300s}
`, gandiURL)
	}
	return b.String()
}

// withProviders writes the daemon's config (rise 1, fall 1) with the
// providers section that tail(dir) returns.
func withProviders(t *testing.T, y daemonYAML, tail func(dir string) string) string {
	t.Helper()
	y.rise, y.fall = 1, 1
	cfg := y.write(t)
	appendFile(t, cfg, tail(filepath.Dir(cfg)))
	return cfg
}

// waitValues polls read until it gives want.
func waitValues(t *testing.T, d *daemonProc, what string, read func() []string, want []string, deadline time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	pollAlive(t, d, deadline, what, func() bool { return slices.Equal(read(), want) })
	return time.Since(start)
}

// A Cloudflare API that stops answering while the service fails over:
// the embedded nameserver answers the backup and the Gandi record holds
// it in their usual time, seconds, not the 30s the hung request waits for;
// status names the Cloudflare destination as the one behind.
func TestHungProviderDelaysNoOtherDestination(t *testing.T) {
	cf := providers.NewCloudflare(t)
	cf.AddToken(providerToken, providers.CFToken{ZoneRead: true, DNSWrite: true})
	cf.AddZone("example.com")
	cf.Seed("example.com", "www", "A", "127.0.0.11", 60, false)
	g := providers.NewGandi(t)
	g.AddToken(providerToken)
	g.AddDomain("example.net")
	g.Seed("example.net", "www", "A", 300, "127.0.0.11")
	main := startWeb(t, "127.0.0.11", 0)
	startWeb(t, "127.0.0.12", main.port())
	dnsPort := freePort(t, "127.0.0.1")
	server := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	cfg := withProviders(t, daemonYAML{webPort: main.port(), dnsPort: dnsPort},
		func(dir string) string { return providersYAML(t, dir, cf.URL(), g.URL()) })
	d := startServe(t, cfg)
	waitForA(t, server, "www.example.com", "127.0.0.11", 20*time.Second)
	waitStatus(t, d, cfg, "both providers to hold the first publish", 20*time.Second, func(s daemonStatus) bool {
		c, _ := s.dest("provider:cloudflare-example")
		g, _ := s.dest("provider:gandi-example")
		return c.Holds != "" && !c.Pending && g.Holds != "" && !g.Pending
	})

	// Every write hangs until the test ends; reads still answer, so the
	// read-back every second (verify_every) runs while the write hangs.
	for _, m := range []string{"PATCH", "POST", "PUT", "DELETE"} {
		cf.Inject(providers.Fault{Method: m, Hang: true, Times: -1})
	}
	before := len(cf.Requests())
	main.stop()
	atDNS := waitForA(t, server, "www.example.com", "127.0.0.12", 10*time.Second)
	atGandi := waitValues(t, d, "gandi to hold the backup", func() []string { return g.Values("example.net", "www", "A") },
		[]string{"127.0.0.12"}, 10*time.Second)
	t.Logf("after main stopped: the nameserver answered the backup in %s, gandi held it %s later (cloudflare hangs, timeout 30s)",
		atDNS.Round(time.Millisecond), atGandi.Round(time.Millisecond))

	s := waitStatus(t, d, cfg, "the cloudflare destination to be pending", 10*time.Second, func(s daemonStatus) bool {
		c, _ := s.dest("provider:cloudflare-example")
		return c.Pending
	})
	writes := slices.IndexFunc(cf.Requests()[before:], func(r providers.Request) bool { return r.Method == "PATCH" || r.Method == "POST" })
	if writes < 0 {
		t.Fatalf("cloudflare got no write after the failover: the hang was never reached")
	}
	if got := cf.Values("example.com", "www", "A"); !slices.Equal(got, []string{"127.0.0.11"}) {
		t.Fatalf("cloudflare holds %v through a hung API", got)
	}
	for _, name := range []string{"provider:gandi-example", "nameserver:example.com"} {
		if ds, ok := s.dest(name); !ok || ds.Pending || ds.LastError != "" || ds.Holds == "" {
			t.Errorf("%s: %+v (found %v); want it holding the new value, nothing pending", name, ds, ok)
		}
	}
	// A read-back is due while the write hangs; SIGTERM must still stop
	// the daemon in seconds, not when the hung write gives up.
	time.Sleep(2 * time.Second) // more than verify_every: not a wait for an event
	d.stop(t)
}

// zonerw serve started while the provider's API answers 503: it starts
// and serves, status shows the provider failing, and once the API answers
// again the record is published without a restart.
func TestServeStartsWhileTheProviderFails(t *testing.T) {
	g := providers.NewGandi(t)
	g.AddToken(providerToken)
	g.AddDomain("example.net")
	g.Seed("example.net", "www", "A", 300, "127.0.0.99") // stale: the first publish must change it
	g.Inject(providers.Fault{Status: 503, RetryAfter: "1", Times: -1})
	main := startWeb(t, "127.0.0.11", 0)
	dnsPort := freePort(t, "127.0.0.1")
	server := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	cfg := withProviders(t, daemonYAML{webPort: main.port(), dnsPort: dnsPort},
		func(dir string) string { return providersYAML(t, dir, "", g.URL()) })
	d := startServe(t, cfg)
	waitForA(t, server, "www.example.com", "127.0.0.11", 20*time.Second)

	s := waitStatus(t, d, cfg, "status to show gandi failing", 60*time.Second, func(s daemonStatus) bool {
		ds, _ := s.dest("provider:gandi-example")
		return ds.Failures > 0
	})
	if ds, _ := s.dest("provider:gandi-example"); !ds.Pending || ds.Holds != "" || !strings.Contains(ds.LastError, "503") {
		t.Errorf("gandi while its API answers 503: %+v; want pending, holding nothing, the 503 named", ds)
	}
	if ns, _ := s.dest("nameserver:example.com"); ns.Pending || ns.Holds == "" {
		t.Errorf("the nameserver while gandi fails: %+v", ns)
	}
	if got := g.Values("example.net", "www", "A"); !slices.Equal(got, []string{"127.0.0.99"}) {
		t.Fatalf("gandi holds %v while its API answers 503", got)
	}

	g.ClearFaults()
	took := waitValues(t, d, "gandi to hold main once its API answers", func() []string { return g.Values("example.net", "www", "A") },
		[]string{"127.0.0.11"}, 30*time.Second)
	t.Logf("published %s after the API answered again", took.Round(time.Millisecond))
	waitStatus(t, d, cfg, "status to show gandi holding the addresses", 10*time.Second, func(s daemonStatus) bool {
		ds, _ := s.dest("provider:gandi-example")
		return !ds.Pending && ds.LastError == "" && ds.Holds != ""
	})
	d.stop(t)
}

// hangingReload is a reload command that never finishes: it records its
// PID and becomes sleep 300.
const hangingReload = `#!/bin/sh
echo $$ >> "$(dirname "$0")/reload.pids"
exec sleep 300
`

// A zone file whose reload command hangs: the embedded nameserver still
// serves each new version at once; the file destination is reported
// pending; SIGTERM stops the hung command with the daemon.
func TestHungReloadDelaysNotTheNameserver(t *testing.T) {
	main := startWeb(t, "127.0.0.11", 0)
	startWeb(t, "127.0.0.12", main.port())
	dnsPort := freePort(t, "127.0.0.1")
	server := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	scriptDir := t.TempDir()
	script := filepath.Join(scriptDir, "reload-nsd")
	writeFile(t, script, hangingReload)
	if err := os.Chmod(script, 0o755); err != nil {
		t.Fatal(err)
	}
	pids := filepath.Join(scriptDir, "reload.pids")
	t.Cleanup(func() { killListed(t, pids) })
	cfg := daemonYAML{webPort: main.port(), dnsPort: dnsPort, rise: 1, fall: 1,
		zone: fmt.Sprintf("    output: out/example.com.zone\n    reload: {command: [%q], timeout: 60s}\n", script)}.write(t)
	out := filepath.Join(filepath.Dir(cfg), "out", "example.com.zone")
	d := startServe(t, cfg)
	waitForA(t, server, "www.example.com", "127.0.0.11", 20*time.Second)
	pollAlive(t, d, 10*time.Second, "the reload command to start", func() bool { _, err := os.Stat(pids); return err == nil })
	first, _, _ := zoneFacts(t, out)

	main.stop()
	took := waitForA(t, server, "www.example.com", "127.0.0.12", 10*time.Second)
	t.Logf("the nameserver answered the backup %s after main stopped, the reload command hanging (timeout 60s)", took.Round(time.Millisecond))
	serial := soaSerial(t, server)
	if !serialGreater(serial, first) {
		t.Fatalf("the nameserver serves serial %d, the file was written with %d", serial, first)
	}
	s := statusJSON(t, cfg)
	file, okF := s.dest("file:example.com")
	ns, okN := s.dest("nameserver:example.com")
	if !okF || !file.Pending {
		t.Errorf("file:example.com %+v (found %v); want it pending behind the hung reload", file, okF)
	}
	if want := fmt.Sprintf("serial %d", serial); !okN || ns.Pending || ns.Holds != want {
		t.Errorf("nameserver:example.com %+v (found %v); want it holding %s, nothing pending", ns, okN, want)
	}
	if got, _, _ := zoneFacts(t, out); got != first {
		t.Errorf("the file holds serial %d; the file worker should still be in the first reload (serial %d)", got, first)
	}

	d.stop(t)
	for _, pid := range listedPIDs(t, pids) {
		if running(pid) {
			t.Errorf("the reload command (PID %d) still runs after zonerw serve stopped", pid)
		}
	}
}

// listedPIDs reads the PIDs a script appended to path, one a line.
func listedPIDs(t *testing.T, path string) []int {
	t.Helper()
	var out []int
	for _, line := range strings.Fields(readFile(t, path)) {
		var pid int
		if _, err := fmt.Sscan(line, &pid); err != nil {
			t.Fatalf("%s: %q is not a PID", path, line)
		}
		out = append(out, pid)
	}
	return out
}

// killListed stops, by PID, what the test's reload script started and
// the daemon left running (it should leave none).
func killListed(t *testing.T, path string) {
	if _, err := os.Stat(path); err != nil {
		return
	}
	for _, pid := range listedPIDs(t, path) {
		if running(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// zonerw serve started with a token the API refuses: it serves; the
// provider is reported failing and held (a refused token is not retried
// every round), but, as the README says, the next attempt comes at once
// when the addresses to publish change, and when the token file changes
// (with a reload), which then publishes.
func TestServeStartsWithARefusedToken(t *testing.T) {
	cf := providers.NewCloudflare(t)
	cf.AddToken(providerToken, providers.CFToken{ZoneRead: true, DNSWrite: true})
	cf.AddZone("example.com")
	cf.Seed("example.com", "www", "A", "127.0.0.11", 60, false)
	main := startWeb(t, "127.0.0.11", 0)
	startWeb(t, "127.0.0.12", main.port())
	dnsPort := freePort(t, "127.0.0.1")
	server := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	var tokenFile string
	cfg := withProviders(t, daemonYAML{webPort: main.port(), dnsPort: dnsPort}, func(dir string) string {
		tail := providersYAML(t, dir, cf.URL(), "")
		tokenFile = filepath.Join(dir, "token")
		writeFile(t, tokenFile, "revoked-token-do-not-print\n")
		return tail
	})
	events := driftHook(t, cfg) // an exec alert: one line per event
	d := startServe(t, cfg)
	waitForA(t, server, "www.example.com", "127.0.0.11", 20*time.Second)
	s := waitStatus(t, d, cfg, "status to show cloudflare failing", 20*time.Second, func(s daemonStatus) bool {
		ds, _ := s.dest("provider:cloudflare-example")
		return ds.Failures > 0
	})
	if ds, _ := s.dest("provider:cloudflare-example"); !strings.Contains(ds.LastError, "was refused") {
		t.Errorf("cloudflare with a refused token: %+v", ds)
	}
	pollAlive(t, d, 10*time.Second, "an alert for the failing provider", func() bool {
		return len(fileLinesWith(events, "publish_failing|")) > 0
	})
	if alerts := fileLinesWith(events, "publish_failing|"); !strings.Contains(alerts[0], "cloudflare") {
		t.Errorf("the alert does not name the provider: %q", alerts[0])
	}

	// Held: with nothing changed (same addresses, same token), six probe
	// rounds go by without another request (the defect was a retry every
	// 5s, with two ERROR lines each time).
	held := len(cf.Requests())
	for end := time.Now().Add(6 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if n := len(cf.Requests()); n != held {
			t.Fatalf("cloudflare was asked again (%d requests, %d before) while the refused token and the addresses stayed the same", n, held)
		}
	}
	if errs := linesWith(d.log(), "level=ERROR"); len(errs) != 1 || !strings.Contains(errs[0], "provider:cloudflare-example") || !strings.Contains(errs[0], "was refused") {
		t.Errorf("%d ERROR lines for one refused token, want one naming the provider and the refusal:\n%s", len(errs), strings.Join(errs, "\n"))
	}

	before := len(cf.Requests())
	main.stop()
	waitForA(t, server, "www.example.com", "127.0.0.12", 10*time.Second)
	pollAlive(t, d, 10*time.Second, "an attempt at cloudflare after the addresses changed", func() bool { return len(cf.Requests()) > before })

	writeFile(t, tokenFile, providerToken+"\n")
	d.cmd.Process.Signal(syscall.SIGHUP)
	waitForLogCount(t, d, "config reloaded", 1, 10*time.Second)
	took := waitValues(t, d, "cloudflare to hold the backup with the fixed token", func() []string { return cf.Values("example.com", "www", "A") },
		[]string{"127.0.0.12"}, 10*time.Second)
	t.Logf("published %s after the reload with the fixed token", took.Round(time.Millisecond))
	if strings.Contains(d.log(), "revoked-token-do-not-print") {
		t.Error("the refused token appears in the log")
	}
	d.stop(t)
}
