package integration

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// nsdIP is the loopback address the NSD secondary answers on; it is not
// one the web servers or zonerw use.
const nsdIP = "127.0.0.4"

// nsdSecondary is an NSD running in the foreground as a secondary of
// zonerw serve for example.com.
type nsdSecondary struct {
	addr string // ip:port it answers on
	dir  string // its config, state and log
}

// newNSD picks NSD's address and writes its config: it transfers
// example.com from primary (ip:port) without TSIG and takes NOTIFY from
// loopback. Start it with start once the primary is up.
func newNSD(t *testing.T, primary string) *nsdSecondary {
	t.Helper()
	n := &nsdSecondary{addr: fmt.Sprintf("%s:%d", nsdIP, freePort(t, nsdIP)), dir: t.TempDir()}
	host, port := splitHostPort(t, n.addr)
	phost, pport := splitHostPort(t, primary)
	// The settings NSD needs to run unprivileged from a temp directory,
	// fast (xfrd-reload-timeout: 0) and without rate limiting our polls.
	conf := fmt.Sprintf(`server:
  ip-address: %[2]s@%[3]s
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
zone:
  name: example.com
  zonefile: "example.com.zone"
  request-xfr: %[4]s@%[5]s NOKEY
  allow-notify: 127.0.0.0/8 NOKEY
`, n.dir, host, port, phost, pport)
	writeFile(t, filepath.Join(n.dir, "nsd.conf"), conf)
	return n
}

// start runs `nsd -d` and stops it, by the PID it was started with, when
// the test ends (NSD's children go with it). Its log is shown on failure.
func (n *nsdSecondary) start(t *testing.T) {
	t.Helper()
	bin := needTool(t, "nsd", "nsd")
	cmd := exec.Command(bin, "-d", "-c", filepath.Join(n.dir, "nsd.conf"))
	cmd.Dir = n.dir
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nsd: %v", err)
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
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(n.dir, "nsd.log"))
			t.Logf("nsd.log:\n%s", b)
		}
	})
}

func splitHostPort(t *testing.T, addr string) (host, port string) {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return host, port
}
