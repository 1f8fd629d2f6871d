// Package peers runs the real nameservers zonerw's integration tests
// talk to: it writes their configs and starts and stops them. It is used
// by tests only; everything it starts binds loopback addresses in a temp
// directory and is stopped by the PID it was started with.
package peers

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Key is a TSIG key as the secondaries' configs spell it.
type Key struct {
	Name      string // without the final dot
	Algorithm string // "hmac-sha256"
	Secret    string // base64
}

// NSDConfig is an nsd.conf for NSD as a secondary of zone (no final dot),
// listening on listen, keeping everything in dir, transferring from
// primary and taking NOTIFY from loopback, both TSIG-signed with key when
// it is set. It carries the settings NSD needs to run unprivileged from a
// temp directory, to load a transfer at once (xfrd-reload-timeout: 0) and
// not to rate-limit the tests' polling.
func NSDConfig(dir string, listen netip.AddrPort, zone string, primary netip.AddrPort, key *Key) string {
	keyRef, keyBlock := "NOKEY", ""
	if key != nil {
		keyRef = key.Name
		keyBlock = fmt.Sprintf("key:\n  name: %s\n  algorithm: %s\n  secret: \"%s\"\n", key.Name, key.Algorithm, key.Secret)
	}
	return fmt.Sprintf(`server:
  ip-address: %[2]s@%[3]d
  username: ""
  chroot: ""
  database: ""
  zonesdir: "%[1]s"
  zonelistfile: "%[1]s/zone.list"
  xfrdfile: "%[1]s/xfrd.state"
  xfrdir: "%[1]s/xfr"
  pidfile: "%[1]s/nsd.pid"
  logfile: "%[1]s/nsd.log"
  server-count: 1
  rrl-ratelimit: 0
  verbosity: 2
  xfrd-reload-timeout: 0
remote-control:
  control-enable: no
%[4]szone:
  name: %[5]s
  zonefile: "%[5]s.zone"
  request-xfr: %[6]s@%[7]d %[8]s
  allow-notify: 127.0.0.0/8 %[8]s
`, dir, listen.Addr(), listen.Port(), keyBlock, zone, primary.Addr(), primary.Port(), keyRef)
}

// Start runs bin in the foreground in dir, its output in dir/output.log,
// and when the test ends stops it by the PID it was started with (SIGTERM,
// then SIGKILL after 10s). If the test failed, or SHOWLOG is set, it logs
// the end of output.log and of each of logs (names relative to dir).
func Start(t testing.TB, bin string, args []string, dir string, logs ...string) {
	t.Helper()
	logPath := filepath.Join(dir, "output.log")
	out, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr, cmd.Dir = out, out, dir
	if err := cmd.Start(); err != nil {
		out.Close()
		t.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		out.Close()
		if !t.Failed() && os.Getenv("SHOWLOG") == "" {
			return
		}
		for _, name := range append([]string{"output.log"}, logs...) {
			if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
				t.Logf("%s:\n%s", name, tail(string(b), 4000))
			}
		}
	})
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// Bare is a zone or key name without the final dot, as NSD and Knot want it.
func Bare(name string) string { return strings.TrimSuffix(name, ".") }
