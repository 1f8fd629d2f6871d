package integration

import (
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDrillMovesToTheBackupAndBack: zonerw drill moves web to its backup
// for 3s and back while the NSD secondary follows each way; the report
// names the secondary with its time each way, and status, the audit log
// and the metrics carry it.
func TestDrillMovesToTheBackupAndBack(t *testing.T) {
	needTool(t, "nsd", "nsd")
	main := startWeb(t, "127.0.0.11", 0)
	backup := startWeb(t, "127.0.0.12", main.port())
	dnsPort := freePort(t, "127.0.0.1")
	httpPort := freePort(t, "127.0.0.1")
	primary := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	nsd := newNSD(t, primary)
	cfg := daemonYAML{webPort: main.port(), dnsPort: dnsPort, httpPort: httpPort, zone: fmt.Sprintf(`    allow_transfer: ["127.0.0.0/8"]
    secondaries: [{address: "%s"}]
`, nsd.addr)}.write(t)
	d := startServe(t, cfg)
	waitForA(t, primary, "www.example.com", "127.0.0.11", 20*time.Second)
	nsd.start(t)
	waitForA(t, nsd.addr, "www.example.com", "127.0.0.11", 20*time.Second)
	waitForLogCount(t, d, "failover loop started", 1, 10*time.Second)

	start := time.Now()
	drill := startDrill(t, "-c", cfg, "web", "--for", "3s")
	there := waitForA(t, nsd.addr, "www.example.com", "127.0.0.12", 10*time.Second)
	back := waitForA(t, nsd.addr, "www.example.com", "127.0.0.11", 15*time.Second)
	t.Logf("nsd served the backup %s after zonerw drill started, and main again %s later", there.Round(time.Millisecond), back.Round(time.Millisecond))
	out, errOut, err := drill.wait(t)
	if err != nil {
		t.Fatalf("zonerw drill: %v\nstdout: %s\nstderr: %s", err, out, errOut)
	}
	if took := time.Since(start); took < 3*time.Second {
		t.Fatalf("the drill returned after %s, before its 3s were up", took)
	}
	row := regexp.MustCompile(`(?m)^    secondary ` + regexp.QuoteMeta(nsd.addr) + ` \(example\.com\)\s+(\S+)\s+(\S+)\s+-$`)
	m := row.FindStringSubmatch(out)
	if !strings.Contains(out, "drill web: moved from main to backup until ") ||
		!strings.Contains(out, ": main to backup for 3s, passed: backup answered all ") || m == nil {
		t.Fatalf("zonerw drill printed:\n%s%s", out, errOut)
	}
	for _, took := range m[1:] {
		if _, err := time.ParseDuration(took); err != nil {
			t.Fatalf("secondary's time %q: %v\n%s", took, err, out)
		}
	}
	t.Logf("the drill's report:\n%s", out)

	code, status, _ := runZonerw(t, "status", "-c", cfg)
	if code != 0 || !strings.Contains(status, "last drill ") || !strings.Contains(status, "secondary "+nsd.addr+" (example.com)") {
		t.Fatalf("status: exit %d\n%s", code, status)
	}
	code, log, _ := runZonerw(t, "log", "-c", cfg, "--since", "10m", "--service", "web")
	for _, want := range []string{"event  drill_started  web  failover drill: web moved from main to backup until ",
		"switch  web  main -> backup  failover drill", "switch  web  backup -> main  drill on backup ended after 3",
		"event  drill_finished  web  backup answered all "} {
		if code != 0 || !strings.Contains(log, want) {
			t.Fatalf("log: exit %d, want %q in\n%s", code, want, log)
		}
	}
	if v := metric(t, httpPort, `zonerw_drill_runs_total{result="passed",service="web"}`); v != 1 {
		t.Fatalf("zonerw_drill_runs_total passed = %v, want 1", v)
	}
	if v := metric(t, httpPort, `zonerw_drill_follow_seconds{destination="secondary `+nsd.addr+` (example.com)",direction="back",service="web"}`); v <= 0 {
		t.Fatalf("the secondary's time back is not in the metrics (%v)", v)
	}

	// A real failure wins over a drill: the backup dies during one, the
	// drill ends at once and the names go back to main.
	drill = startDrill(t, "-c", cfg, "web", "--for", "1m")
	waitForA(t, nsd.addr, "www.example.com", "127.0.0.12", 10*time.Second)
	backup.stop()
	waitForA(t, nsd.addr, "www.example.com", "127.0.0.11", 15*time.Second)
	out, errOut, err = drill.wait(t)
	if err == nil || !strings.Contains(out, "aborted: drill on backup ended early: backup went down") {
		t.Fatalf("zonerw drill with the backup gone: %v\nstdout: %s\nstderr: %s", err, out, errOut)
	}

	// And none runs while the next target is down.
	code, _, errOut = runZonerw(t, "drill", "-c", cfg, "web")
	if code != 1 || !strings.Contains(errOut, "drill web: no drill: its next target backup is down") {
		t.Fatalf("a drill with the backup down: exit %d %s", code, errOut)
	}
	if got := lookupA(nsd.addr, "www.example.com"); got != "127.0.0.11" {
		t.Fatalf("nsd serves %q after the refused drill", got)
	}
	d.stop(t)
}

// drillProc is a `zonerw drill` running in the background.
type drillProc struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan error
}

// startDrill starts zonerw drill with args; it is killed at the end of
// the test if it still runs.
func startDrill(t *testing.T, args ...string) *drillProc {
	t.Helper()
	p := &drillProc{cmd: exec.Command(zonerwBin, append([]string{"drill"}, args...)...), done: make(chan error, 1)}
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		p.done <- p.cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-exited
	})
	return p
}

// wait waits (bounded) for the drill command to exit and returns what it
// printed and its exit error.
func (p *drillProc) wait(t *testing.T) (stdout, stderr string, err error) {
	t.Helper()
	select {
	case err = <-p.done:
	case <-time.After(90 * time.Second):
		t.Fatalf("zonerw drill did not return within 90s\n%s%s", &p.stdout, &p.stderr)
	}
	return p.stdout.String(), p.stderr.String(), err
}
