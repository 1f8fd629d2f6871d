package integration

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/zonerw/zonerw/integration/peers"
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
func newNSD(t testing.TB, primary string) *nsdSecondary {
	t.Helper()
	n := &nsdSecondary{addr: fmt.Sprintf("%s:%d", nsdIP, freePort(t, nsdIP)), dir: t.TempDir()}
	conf := peers.NSDConfig(n.dir, netip.MustParseAddrPort(n.addr), "example.com", netip.MustParseAddrPort(primary), nil)
	writeFile(t, filepath.Join(n.dir, "nsd.conf"), conf)
	return n
}

// start runs `nsd -d` and stops it, by the PID it was started with, when
// the test ends (NSD's children go with it). Its log is shown on failure.
func (n *nsdSecondary) start(t testing.TB) {
	t.Helper()
	bin := needTool(t, "nsd", "nsd")
	peers.Start(t, bin, []string{"-d", "-c", filepath.Join(n.dir, "nsd.conf")}, n.dir, "nsd.log")
}
