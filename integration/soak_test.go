package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Soak parameters: the main server changes state every flapEvery, flaps
// times in all (about 22 s with the settings below).
const (
	flapEvery   = 2 * time.Second
	flaps       = 10
	maxSwitches = 3
)

// Growth the soak allows between the daemon's quiet start and its end.
const (
	// fdSlack: a probe round may be in flight when /proc is read, with
	// one socket per target (2), and the audit log or a state temp file
	// may be open for a write (1).
	fdSlack = 3
	// goroutineSlack: a probe round in flight is the cron job, one check
	// per target (2) and each check's HTTP connection goroutines (2 per
	// target); a leak of one goroutine per round (20 rounds) exceeds it.
	goroutineSlack = 8
)

func soakConfig(t *testing.T, webPort, dnsPort int) string {
	t.Helper()
	return daemonYAML{webPort: webPort, dnsPort: dnsPort, rise: 1, fall: 1,
		service: fmt.Sprintf("    max_switches: %d\n    switch_window: 10m\n", maxSwitches),
		zone:    "    serial: increment\n"}.write(t)
}

// TestSoakFlappingMain flaps the main server under a daemon with rise 1,
// fall 1 and the flap governor on, and checks that the governor holds the
// service, that the serial moved at most max_switches times, and that the
// daemon's file descriptors and goroutines did not grow.
func TestSoakFlappingMain(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads the daemon's file descriptors and threads from /proc, which only Linux has")
	}
	main := startWeb(t, "127.0.0.11", 0)
	startWeb(t, "127.0.0.12", main.port())

	// The goroutines of a daemon that only started and probed a steady
	// main server: what the soaked daemon is compared with at the end.
	quiet := startSoakDaemon(t, main.port())
	baseline := goroutineDump(t, quiet.d)

	s := startSoakDaemon(t, main.port())
	firstSerial := soaSerial(t, s.server)
	tick := time.NewTicker(flapEvery)
	defer tick.Stop()
	<-tick.C // one probe round (every 1s) has run: the quiet start
	before := sample(t, s.d)
	peak := before
	for i := range flaps {
		if i%2 == 0 {
			main.stop()
		} else {
			main.start()
		}
		<-tick.C
		if got := lookupA(s.server, "www.example.com"); got == "" {
			t.Fatalf("flap %d: zonerw did not answer for www.example.com", i+1)
		}
		peak = peak.max(sample(t, s.d))
	}
	after := sample(t, s.d)
	t.Logf("daemon fds %d before, %d after, peak %d (slack %d); threads %d before, %d after, peak %d",
		before.fds, after.fds, peak.fds, fdSlack, before.threads, after.threads, peak.threads)
	if after.fds > before.fds+fdSlack {
		t.Errorf("file descriptors grew from %d to %d:\n%s", before.fds, after.fds, strings.Join(after.fdTargets, "\n"))
	}

	switches, held := readAudit(t, filepath.Join(filepath.Dir(s.cfg), "state", "audit.log"))
	bumps := soaSerial(t, s.server) - firstSerial
	versions := strings.Count(s.d.log(), `msg="zone version made"`)
	t.Logf("%d flaps every %s: %d switches, %d flap_held events, serial bumped %d times after the first publish (%d versions logged)",
		flaps, flapEvery, switches, held, bumps, versions)
	if held == 0 {
		t.Error("the flap governor never held the service: no flap_held event in audit.log")
	}
	if switches > maxSwitches || bumps > maxSwitches || versions > maxSwitches+1 {
		t.Errorf("more changes than max_switches %d: %d switches, %d serial bumps, %d versions", maxSwitches, switches, bumps, versions)
	}

	end := goroutineDump(t, s.d)
	t.Logf("goroutines: %d in a daemon that only started, %d after the soak (slack %d)", baseline.total, end.total, goroutineSlack)
	if end.total > baseline.total+goroutineSlack {
		t.Errorf("goroutines grew from %d to %d; by creator:\nbefore %v\nafter  %v", baseline.total, end.total, baseline.byCreator, end.byCreator)
	}
}

// soakDaemon is a zonerw serve on soakConfig.
type soakDaemon struct {
	d      *daemonProc
	cfg    string
	server string // its DNS address
}

// startSoakDaemon starts a daemon and waits until it serves the main
// address and its probe loop runs.
func startSoakDaemon(t *testing.T, webPort int) soakDaemon {
	t.Helper()
	port := freePort(t, "127.0.0.1")
	s := soakDaemon{cfg: soakConfig(t, webPort, port), server: fmt.Sprintf("127.0.0.1:%d", port)}
	s.d = startServe(t, s.cfg)
	waitForA(t, s.server, "www.example.com", "127.0.0.11", 20*time.Second)
	waitForLogCount(t, s.d, "failover loop started", 1, 10*time.Second)
	return s
}

// usage is what /proc says about the daemon at one moment.
type usage struct {
	fds, threads int
	fdTargets    []string
}

func (u usage) max(o usage) usage {
	return usage{fds: max(u.fds, o.fds), threads: max(u.threads, o.threads), fdTargets: o.fdTargets}
}

// sample reads the daemon's open file descriptors and its thread count.
func sample(t *testing.T, d *daemonProc) usage {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d", d.cmd.Process.Pid)
	entries, err := os.ReadDir(dir + "/fd")
	if err != nil {
		t.Fatal(err)
	}
	var u usage
	for _, e := range entries {
		target, _ := os.Readlink(filepath.Join(dir, "fd", e.Name()))
		u.fdTargets = append(u.fdTargets, e.Name()+" -> "+target)
	}
	u.fds = len(entries)
	status, err := os.ReadFile(dir + "/status")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^Threads:\s+(\d+)$`).FindSubmatch(status)
	if m == nil {
		t.Fatalf("no Threads line in %s/status", dir)
	}
	u.threads, _ = strconv.Atoi(string(m[1]))
	return u
}

// dump is a count of a process's goroutines from its SIGQUIT stack dump.
type dump struct {
	total     int
	byCreator map[string]int
}

var (
	goroutineHeader = regexp.MustCompile(`(?m)^goroutine [1-9]\d* `)
	createdBy       = regexp.MustCompile(`(?m)^created by (\S+)`)
)

// goroutineDump ends the daemon with SIGQUIT, whose default handler in the
// Go runtime prints every goroutine's stack, and counts them (goroutine
// 0, the signal handler's own, is left out).
func goroutineDump(t *testing.T, d *daemonProc) dump {
	t.Helper()
	d.cmd.Process.Signal(syscall.SIGQUIT)
	start := time.Now()
	for {
		if _, gone := exited(d); gone {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("zonerw serve did not exit within 10s of SIGQUIT")
		}
		time.Sleep(2 * time.Millisecond) // polling interval
	}
	text := d.log()
	i := strings.Index(text, "SIGQUIT: quit")
	if i < 0 {
		t.Fatalf("no stack dump after SIGQUIT:\n%s", text)
	}
	out := dump{byCreator: map[string]int{}}
	out.total = len(goroutineHeader.FindAllString(text[i:], -1))
	for _, m := range createdBy.FindAllStringSubmatch(text[i:], -1) {
		out.byCreator[m[1]]++
	}
	return out
}

// readAudit counts the switches and flap_held events in audit.log.
func readAudit(t *testing.T, path string) (switches, held int) {
	t.Helper()
	for i, line := range strings.Split(strings.TrimSpace(readFile(t, path)), "\n") {
		var l struct {
			Type  string `json:"type"`
			Event *struct {
				Kind string `json:"kind"`
			} `json:"event"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("%s:%d: %v", path, i+1, err)
		}
		switch {
		case l.Type == "switch":
			switches++
		case l.Event != nil && l.Event.Kind == "flap_held":
			held++
		}
	}
	return switches, held
}
