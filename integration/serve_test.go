package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// freePort finds a TCP and UDP port free on ip. zonerw serve binds it
// itself a moment later.
func freePort(t testing.TB, ip string) int {
	t.Helper()
	for range 20 {
		ln, err := net.Listen("tcp", ip+":0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		pc, err := net.ListenPacket("udp", fmt.Sprintf("%s:%d", ip, port))
		ln.Close()
		if err == nil {
			pc.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

// daemonProc is a running `zonerw serve`.
type daemonProc struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan error
}

func (d *daemonProc) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stderr.Write(p)
}

func (d *daemonProc) log() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stderr.String()
}

func startServe(t testing.TB, cfg string) *daemonProc {
	t.Helper()
	d := &daemonProc{done: make(chan error, 1)}
	d.cmd = exec.Command(zonerwBin, "serve", "-c", cfg)
	d.cmd.Stdout, d.cmd.Stderr = d, d
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.done <- d.cmd.Wait() }()
	t.Cleanup(func() {
		d.cmd.Process.Kill()
		<-d.done
		if t.Failed() {
			t.Logf("zonerw serve log:\n%s", d.log())
		}
	})
	return d
}

// stop sends SIGTERM and waits (bounded) for a clean exit.
func (d *daemonProc) stop(t *testing.T) {
	t.Helper()
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-d.done:
		d.done <- err // for Cleanup
		if err != nil {
			t.Fatalf("zonerw serve exited with %v\n%s", err, d.log())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("zonerw serve did not stop within 20s of SIGTERM\n%s", d.log())
	}
}

// lookupA asks server for name's A records; "" on any failure.
func lookupA(server, name string) string {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), dns.TypeA)
	c := &dns.Client{Timeout: 500 * time.Millisecond}
	r, _, err := c.Exchange(m, server)
	if err != nil || r.Rcode != dns.RcodeSuccess {
		return ""
	}
	var out []string
	for _, rr := range r.Answer {
		if a, ok := rr.(*dns.A); ok {
			out = append(out, a.A.String())
		}
	}
	return strings.Join(out, ",")
}

// waitForA polls server every 2 ms until name has want, or fails after
// the deadline; it returns how long that took.
func waitForA(t testing.TB, server, name, want string, deadline time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	last := ""
	for time.Since(start) < deadline {
		if last = lookupA(server, name); last == want {
			return time.Since(start)
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("%s at %s: A %q after %s, want %q", name, server, last, deadline, want)
	return 0
}

// daemonYAML describes the config of a test daemon: the web service with
// main on 127.0.0.11 and backup on 127.0.0.12, probed every second, and
// the zone example.com from cronTemplate.
type daemonYAML struct {
	webPort, dnsPort int
	httpPort         int    // admin HTTP listener; 0: none
	rise, fall       int    // 0: rise 1, fall 2
	service          string // more keys of the web service, indented 4
	zone             string // more keys of the zone, indented 4
	tail             string // more top-level YAML (alerts, ...)
}

// write writes the config and the template into a temp dir and returns
// the config's path.
func (y daemonYAML) write(t *testing.T) string {
	t.Helper()
	if y.rise == 0 {
		y.rise, y.fall = 1, 2
	}
	http := ""
	if y.httpPort != 0 {
		http = fmt.Sprintf("  http: \"127.0.0.1:%d\"\n", y.httpPort)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "zonerw.yaml")
	writeFile(t, cfg, fmt.Sprintf(`state_dir: state
server:
  listen: ["127.0.0.1:%d"]
%sservices:
  - name: web
    every: "@every 1s"
    check: {type: http, url: "http://{addr}:%d/", timeout: 500ms}
    rise: %d
    fall: %d
%s    targets:
      - {name: main, ipv4: 127.0.0.11}
      - {name: backup, ipv4: 127.0.0.12}
zones:
  - name: example.com
    template: example.com.tmpl
%s%s`, y.dnsPort, http, y.webPort, y.rise, y.fall, y.service, y.zone, y.tail))
	writeFile(t, filepath.Join(dir, "example.com.tmpl"), cronTemplate)
	return cfg
}

// serveConfig is the usual test daemon, with extraZone added to the zone.
func serveConfig(t *testing.T, webPort, dnsPort int, extraZone string) string {
	t.Helper()
	return daemonYAML{webPort: webPort, dnsPort: dnsPort, zone: extraZone}.write(t)
}

func TestServeFailoverPinAndShutdown(t *testing.T) {
	main := startWeb(t, "127.0.0.11", 0)
	startWeb(t, "127.0.0.12", main.port())
	dnsPort := freePort(t, "127.0.0.1")
	cfg := serveConfig(t, main.port(), dnsPort, "")
	server := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	d := startServe(t, cfg)

	waitForA(t, server, "www.example.com", "127.0.0.11", 20*time.Second)

	main.stop()
	took := waitForA(t, server, "www.example.com", "127.0.0.12", 30*time.Second)
	t.Logf("failover seen by a client %s after the main server stopped (every 1s, fall 2)", took.Round(time.Millisecond))
	checkExplain(t, cfg, "moved because: main down after 2 consecutive failures", "-> main, earliest ")

	main.start()
	took = waitForA(t, server, "www.example.com", "127.0.0.11", 30*time.Second)
	t.Logf("failback seen %s after the main server returned (rise 1)", took.Round(time.Millisecond))

	// Planned maintenance: pin to the backup although main is up.
	if code, out, errOut := runZonerw(t, "pin", "-c", cfg, "web", "backup", "--for", "1h", "--reason", "disk swap"); code != 0 {
		t.Fatalf("pin: exit %d %s %s", code, out, errOut)
	}
	waitForA(t, server, "www.example.com", "127.0.0.12", 5*time.Second)
	checkExplain(t, cfg, "pinned to backup by operator until ", ": disk swap since ", "-> main, earliest ", "if the pin ends at ")
	code, out, _ := runZonerw(t, "status", "-c", cfg)
	if code != 0 || !strings.Contains(out, "pinned to backup") {
		t.Fatalf("status: exit %d\n%s", code, out)
	}
	code, out, _ = runZonerw(t, "log", "-c", cfg, "--since", "10m", "--service", "web")
	for _, want := range []string{"  switch  web  main -> backup  main down after 2 consecutive failures", "  event  pinned  web  pinned to backup by operator"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("log: exit %d, want %q in\n%s", code, want, out)
		}
	}
	if code, out, errOut := runZonerw(t, "unpin", "-c", cfg, "web"); code != 0 {
		t.Fatalf("unpin: exit %d %s %s", code, out, errOut)
	}
	waitForA(t, server, "www.example.com", "127.0.0.11", 5*time.Second)

	// --force reaches the daemon and makes a new serial.
	before := soaSerial(t, server)
	if code, out, errOut := runZonerw(t, "--force", "-c", cfg); code != 0 {
		t.Fatalf("--force: exit %d %s %s", code, out, errOut)
	}
	if after := soaSerial(t, server); !serialGreater(after, before) {
		t.Fatalf("--force: serial %d -> %d", before, after)
	}
	d.stop(t)
	if log := d.log(); strings.Contains(log, "level=ERROR") {
		t.Fatalf("a normal run logged errors:\n%s", log)
	}
}

// checkExplain runs zonerw explain web against the daemon and checks the
// output has every one of want; then checks --json agrees that the
// daemon answered and that the earliest switch is not in the past.
func checkExplain(t *testing.T, cfg string, want ...string) {
	t.Helper()
	code, out, errOut := runZonerw(t, "explain", "-c", cfg, "web")
	for _, w := range want {
		if code != 0 || !strings.Contains(out, w) || strings.Contains(out, "no daemon running") {
			t.Fatalf("explain: exit %d, want %q in\n%s%s", code, w, out, errOut)
		}
	}
	before := time.Now()
	code, out, errOut = runZonerw(t, "explain", "--json", "-c", cfg, "web")
	var x struct {
		Daemon     bool
		NextSwitch time.Time `json:"next_switch"`
	}
	if err := json.Unmarshal([]byte(out), &x); code != 0 || err != nil {
		t.Fatalf("explain --json: exit %d %v\n%s%s", code, err, out, errOut)
	}
	if !x.Daemon || x.NextSwitch.Before(before) {
		t.Fatalf("explain --json: daemon %v, next switch %s", x.Daemon, x.NextSwitch)
	}
}

func soaSerial(t *testing.T, server string) uint32 {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion("example.com.", dns.TypeSOA)
	r, _, err := (&dns.Client{Timeout: time.Second}).Exchange(m, server)
	if err != nil || len(r.Answer) != 1 {
		t.Fatalf("SOA query: %v %v", err, r)
	}
	return r.Answer[0].(*dns.SOA).Serial
}
