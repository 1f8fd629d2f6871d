package failover

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/zonerw/zonerw/probe"
)

// TestAddrCheckEveryAddress checks a target on two loopback addresses with
// a real TCP probe: it passes only while both accept a connection.
func TestAddrCheckEveryAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	// A second listener on 127.0.0.2, same port, for the "both answer" case.
	ln2, err := net.Listen("tcp", fmt.Sprintf("127.0.0.2:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer ln2.Close()
	p := &probe.TCP{Port: uint16(port)}
	one, two := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")

	r := AddrCheck("main", p, one, two).Run(context.Background())
	if !r.OK || !strings.HasPrefix(r.Reason, "127.0.0.1: ") || !strings.Contains(r.Reason, "; 127.0.0.2: ") {
		t.Fatalf("both listening: %+v", r)
	}

	ln2.Close()
	r = AddrCheck("main", p, one, two).Run(context.Background())
	if r.OK || !strings.HasPrefix(r.Reason, "127.0.0.2: ") || !strings.Contains(r.Reason, "refused") || !strings.Contains(r.Reason, "; 127.0.0.1: ") {
		t.Fatalf("127.0.0.2 closed: %+v, want a failure naming 127.0.0.2 first", r)
	}

	// One address: the probe's own result, reason unchanged.
	r = AddrCheck("main", p, one).Run(context.Background())
	if !r.OK || strings.Contains(r.Reason, "127.0.0.1") {
		t.Fatalf("one address: %+v", r)
	}
}

// panicky panics when probing one address.
type panicky struct{ bad netip.Addr }

func (p panicky) Probe(_ context.Context, a netip.Addr) probe.Result {
	if a == p.bad {
		panic("probe bug")
	}
	return probe.Result{OK: true, Reason: "fine"}
}

// TestAddrCheckSurvivesAPanickingProbe: a probe that panics on one of
// several addresses fails the check instead of taking the process down.
func TestAddrCheckSurvivesAPanickingProbe(t *testing.T) {
	one, two := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")
	r := AddrCheck("main", panicky{bad: two}, one, two).run(context.Background())
	if r.OK || !strings.Contains(r.Reason, "::1: check panicked: probe bug") {
		t.Fatalf("result %+v, want a failure naming the panic on ::1", r)
	}
}
