package integration

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestDaemonFailoverThroughNSD is issue 4's end-to-end proof: zonerw serve
// probes real web servers and an NSD secondary transfers every change, so
// a resolver asking the secondary follows the main server down and back.
func TestDaemonFailoverThroughNSD(t *testing.T) {
	needTool(t, "nsd", "nsd")
	main := startWeb(t, "127.0.0.11", 0)
	startWeb(t, "127.0.0.12", main.port())
	dnsPort := freePort(t, "127.0.0.1")
	primary := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	nsd := newNSD(t, primary)
	cfg := serveConfig(t, main.port(), dnsPort, fmt.Sprintf(`    allow_transfer: ["127.0.0.0/8"]
    secondaries: [{address: "%s"}]
`, nsd.addr))
	d := startServe(t, cfg)
	waitForA(t, primary, "www.example.com", "127.0.0.11", 20*time.Second)
	nsd.start(t)
	took := waitForA(t, nsd.addr, "www.example.com", "127.0.0.11", 20*time.Second)
	t.Logf("nsd loaded the zone %s after it started", took.Round(time.Millisecond))

	main.stop()
	atPrimary, atNSD := watchSwitch(t, primary, nsd.addr, "127.0.0.12", 30*time.Second)
	t.Logf("failover (every 1s, fall 2): zonerw served the backup %s after the main server stopped, nsd %s (%s behind zonerw)",
		atPrimary.Round(time.Millisecond), atNSD.Round(time.Millisecond), (atNSD - atPrimary).Round(time.Millisecond))

	main.start()
	atPrimary, atNSD = watchSwitch(t, primary, nsd.addr, "127.0.0.11", 30*time.Second)
	t.Logf("failback (rise 1): zonerw served the main server %s after it returned, nsd %s (%s behind zonerw)",
		atPrimary.Round(time.Millisecond), atNSD.Round(time.Millisecond), (atNSD - atPrimary).Round(time.Millisecond))

	if p, s := soaSerial(t, primary), soaSerial(t, nsd.addr); p != s {
		t.Fatalf("nsd holds serial %d, zonerw serves %d", s, p)
	}
	d.stop(t)
}

// watchSwitch polls the primary and the secondary every millisecond until
// both answer www.example.com with want, and returns when each first did.
func watchSwitch(t *testing.T, primary, secondary, want string, deadline time.Duration) (atPrimary, atSecondary time.Duration) {
	t.Helper()
	start := time.Now()
	for atPrimary == 0 || atSecondary == 0 {
		if time.Since(start) > deadline {
			t.Fatalf("www.example.com is not %s after %s: zonerw %q, secondary %q", want, deadline,
				lookupA(primary, "www.example.com"), lookupA(secondary, "www.example.com"))
		}
		if atPrimary == 0 && lookupA(primary, "www.example.com") == want {
			atPrimary = time.Since(start)
		}
		if atSecondary == 0 && lookupA(secondary, "www.example.com") == want {
			atSecondary = time.Since(start)
		}
		time.Sleep(time.Millisecond) // the polling interval, not a wait for an event
	}
	return atPrimary, atSecondary
}

// TestReloadKeepsRunningOnBadConfig: SIGHUP with a broken config or
// template keeps the old zone served and logs what is wrong, naming the
// file and line; SIGHUP with a good template serves the change.
// servingMain starts a web server for main, and zonerw serve on the usual
// test config, and waits until www points at main. It returns the daemon,
// its config and template paths and the nameserver's address.
func servingMain(t *testing.T) (d *daemonProc, cfg, tmpl, server string) {
	t.Helper()
	main := startWeb(t, "127.0.0.11", 0)
	dnsPort := freePort(t, "127.0.0.1")
	server = fmt.Sprintf("127.0.0.1:%d", dnsPort)
	cfg = serveConfig(t, main.port(), dnsPort, "")
	tmpl = filepath.Join(filepath.Dir(cfg), "example.com.tmpl")
	d = startServe(t, cfg)
	waitForA(t, server, "www.example.com", "127.0.0.11", 20*time.Second)
	return d, cfg, tmpl, server
}

func TestReloadKeepsRunningOnBadConfig(t *testing.T) {
	d, cfg, tmpl, server := servingMain(t)
	goodCfg := readFile(t, cfg)
	// zonerw serve takes SIGHUP only once it has started (see
	// TestSighupDuringStartupKeepsTheDaemon); this line is its last sign.
	waitForLogCount(t, d, "failover loop started", 1, 10*time.Second)
	serial := soaSerial(t, server)

	tests := []struct {
		name      string
		cfg, tmpl string
		file      string // the file the error must name
		mark      string // the text on the line it must name
		want      string // and what it must say
	}{
		{"unknown key", strings.Replace(goodCfg, "    rise: 1\n", "    rise: 1\n    rize: 2\n", 1), cronTemplate,
			cfg, "rize: 2", `unknown key \"rize\"`},
		{"bad value", strings.Replace(goodCfg, "    fall: 2\n", "    fall: -1\n", 1), cronTemplate,
			cfg, "fall: -1", "must be at least 1"},
		{"unknown service in the template", goodCfg, cronTemplate + "bad 300 IN A @IP:nosuch@\n",
			tmpl, "@IP:nosuch@", "nosuch"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			writeFile(t, cfg, tc.cfg)
			writeFile(t, tmpl, tc.tmpl)
			d.cmd.Process.Signal(syscall.SIGHUP)
			line := waitForLogCount(t, d, "config reload failed", i+1, 10*time.Second)
			at := fmt.Sprintf("%s:%d:", tc.file, lineOf(t, tc.file, tc.mark))
			if !strings.Contains(line, at) || !strings.Contains(line, tc.want) {
				t.Fatalf("the reload error does not name %s and say %q:\n%s", at, tc.want, line)
			}
			if got := lookupA(server, "www.example.com"); got != "127.0.0.11" {
				t.Fatalf("after a failed reload www is %q, want the old zone's 127.0.0.11", got)
			}
			if got := soaSerial(t, server); got != serial {
				t.Fatalf("a failed reload changed the serial %d -> %d", serial, got)
			}
		})
	}

	// A valid change: the template gains a record, which is served at once.
	writeFile(t, cfg, goodCfg)
	writeFile(t, tmpl, cronTemplate+"new 300 IN A 127.0.0.99\n")
	d.cmd.Process.Signal(syscall.SIGHUP)
	pollAlive(t, d, 10*time.Second, "new.example.com to be served", func() bool {
		return lookupA(server, "new.example.com") == "127.0.0.99"
	})
	if got := soaSerial(t, server); !serialGreater(got, serial) {
		t.Fatalf("the reloaded zone has serial %d, not above %d", got, serial)
	}
	if got := lookupA(server, "www.example.com"); got != "127.0.0.11" {
		t.Fatalf("after the reload www is %q, want 127.0.0.11", got)
	}
	d.stop(t)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// lineOf is the 1-based number of the first line of path containing mark.
func lineOf(t *testing.T, path, mark string) int {
	t.Helper()
	for i, l := range strings.Split(readFile(t, path), "\n") {
		if strings.Contains(l, mark) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line with %q", path, mark)
	return 0
}

// waitForLogCount polls the daemon's log until it has n lines containing
// substr and returns the n-th of them.
func waitForLogCount(t *testing.T, d *daemonProc, substr string, n int, deadline time.Duration) string {
	t.Helper()
	start := time.Now()
	for {
		var hits []string
		for _, l := range strings.Split(d.log(), "\n") {
			if strings.Contains(l, substr) {
				hits = append(hits, l)
			}
		}
		if len(hits) >= n {
			return hits[n-1]
		}
		if err, gone := exited(d); gone {
			t.Fatalf("zonerw serve exited (%v) before logging %q %d times", err, substr, n)
		}
		if time.Since(start) > deadline {
			t.Fatalf("%d log lines with %q after %s, want %d:\n%s", len(hits), substr, deadline, n, d.log())
		}
		time.Sleep(2 * time.Millisecond) // polling interval
	}
}

// exited reports whether the daemon has exited, and how.
func exited(d *daemonProc) (error, bool) {
	select {
	case err := <-d.done:
		d.done <- err // for the others who wait on it
		return err, true
	default:
		return nil, false
	}
}

// pollAlive polls cond every 2 ms until it holds, failing at once if the
// daemon exits and after the deadline otherwise.
func pollAlive(t *testing.T, d *daemonProc, deadline time.Duration, what string, cond func() bool) {
	t.Helper()
	start := time.Now()
	for !cond() {
		if err, gone := exited(d); gone {
			t.Fatalf("zonerw serve exited (%v) while waiting for %s", err, what)
		}
		if time.Since(start) > deadline {
			t.Fatalf("no %s after %s", what, deadline)
		}
		time.Sleep(2 * time.Millisecond) // polling interval
	}
}

// TestSighupDuringStartupKeepsTheDaemon: a SIGHUP (systemctl reload) that
// arrives once zonerw serve has bound its port but before it has finished
// starting must not kill it. To hold the daemon in that window for a
// while, the zone's secondary is a socket that never answers: at start-up
// zonerw asks it for its serial and waits (up to 5 s) for the reply.
func TestSighupDuringStartupKeepsTheDaemon(t *testing.T) {
	main := startWeb(t, "127.0.0.11", 0)
	silent := silentSecondary(t, "127.0.0.5")
	dnsPort := freePort(t, "127.0.0.1")
	server := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	cfg := serveConfig(t, main.port(), dnsPort, fmt.Sprintf("    secondaries: [{address: %q}]\n", silent))
	d := startServe(t, cfg)
	pollAlive(t, d, 10*time.Second, "an answer from zonerw's port", func() bool {
		m := new(dns.Msg)
		m.SetQuestion("example.com.", dns.TypeSOA)
		_, _, err := (&dns.Client{Timeout: 100 * time.Millisecond}).Exchange(m, server)
		return err == nil
	})
	if strings.Contains(d.log(), "failover loop started") {
		t.Fatal("zonerw finished starting before the test could signal it; the silent secondary did not hold it")
	}
	d.cmd.Process.Signal(syscall.SIGHUP)
	pollAlive(t, d, 20*time.Second, "www.example.com to be served after the start", func() bool {
		return lookupA(server, "www.example.com") == "127.0.0.11"
	})
	d.stop(t)
}

// silentSecondary binds ip:port for UDP and TCP and never answers; it
// returns the address.
func silentSecondary(t *testing.T, ip string) string {
	t.Helper()
	port := freePort(t, ip)
	addr := fmt.Sprintf("%s:%d", ip, port)
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close(); ln.Close() })
	return addr
}

// TestSystemdUnitVerifies runs `systemd-analyze verify` on the shipped
// unit, with ExecStart pointing at the binary under test (verify insists
// that the program exists).
func TestSystemdUnitVerifies(t *testing.T) {
	analyze := needTool(t, "systemd-analyze", "systemd")
	unit := readFile(t, "../examples/zonerw.service")
	if !strings.Contains(unit, "ExecStart=/usr/local/bin/zonerw serve ") {
		t.Fatal("examples/zonerw.service no longer starts /usr/local/bin/zonerw serve")
	}
	path := filepath.Join(t.TempDir(), "zonerw.service")
	writeFile(t, path, strings.ReplaceAll(unit, "/usr/local/bin/zonerw", zonerwBin))
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestServeStartsWithBrokenTemplate: a template broken while zonerw was
// down (edited, never reloaded, then a reboot) must not keep the daemon
// from starting: the zone keeps its last good version, the error names the
// template's line, and a reload with the template fixed publishes again.
func TestServeStartsWithBrokenTemplate(t *testing.T) {
	d, cfg, tmpl, server := servingMain(t)
	serial := soaSerial(t, server)
	d.stop(t)

	writeFile(t, tmpl, cronTemplate+"bad 300 IN A @IP:nosuch@\n")
	d = startServe(t, cfg)
	line := waitForLogCount(t, d, "zone template broken; serving the last good version", 1, 20*time.Second)
	at := fmt.Sprintf("%s:%d:", tmpl, lineOf(t, tmpl, "@IP:nosuch@"))
	if !strings.Contains(line, at) || !strings.Contains(line, fmt.Sprintf("serial=%d", serial)) {
		t.Fatalf("the start-up error does not name %s and the served serial %d:\n%s", at, serial, line)
	}
	waitForLogCount(t, d, "failover loop started", 1, 10*time.Second)
	if got := soaSerial(t, server); got != serial {
		t.Fatalf("with a broken template the daemon serves serial %d, want the last good %d", got, serial)
	}
	if got := lookupA(server, "www.example.com"); got != "127.0.0.11" {
		t.Fatalf("with a broken template www is %q, want the last good 127.0.0.11", got)
	}
	code, out, _ := runZonerw(t, "status", "-c", cfg)
	if code != 1 || !strings.Contains(out, "failovers held back until a reload: template broken: "+at) || !strings.Contains(out, "HELD zone example.com: "+at) {
		t.Fatalf("status does not show the broken template %s: exit %d\n%s", at, code, out)
	}
	if code, out, _ := runZonerw(t, "explain", "-c", cfg, "web"); code != 0 || !strings.Contains(out, "NOT SERVED:    zone example.com: "+at) {
		t.Fatalf("explain does not say the decisions do not reach zone example.com: exit %d\n%s", code, out)
	}

	writeFile(t, tmpl, cronTemplate+"new 300 IN A 127.0.0.99\n")
	d.cmd.Process.Signal(syscall.SIGHUP)
	pollAlive(t, d, 10*time.Second, "new.example.com to be served after the fix", func() bool {
		return lookupA(server, "new.example.com") == "127.0.0.99"
	})
	if got := soaSerial(t, server); !serialGreater(got, serial) {
		t.Fatalf("the fixed zone has serial %d, not above %d", got, serial)
	}
	if code, out, _ := runZonerw(t, "status", "-c", cfg); code != 0 || strings.Contains(out, "template broken") {
		t.Fatalf("status still shows the template broken after the fix: exit %d\n%s", code, out)
	}
	d.stop(t)
}
