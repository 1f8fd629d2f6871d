//go:build linux

package dnsserver

import (
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestSockaddrRoundTrip: a peer written as a sockaddr for a socket of
// either family reads back as the same address, port and scope.
func TestSockaddrRoundTrip(t *testing.T) {
	cases := []struct {
		peer  string
		scope uint32
		v6    bool
		want  string
	}{
		{"192.0.2.1:53", 0, false, "192.0.2.1:53"},
		{"[::ffff:192.0.2.1]:65535", 0, false, "192.0.2.1:65535"},
		{"[2001:db8::1]:5353", 0, true, "[2001:db8::1]:5353"},
		{"[::ffff:127.0.0.1]:1", 0, true, "[::ffff:127.0.0.1]:1"},
		{"[fe80::1]:53", 3, true, "[fe80::1]:53"},
	}
	for _, c := range cases {
		var sa unix.RawSockaddrInet6
		n := putSockaddr(&sa, netip.MustParseAddrPort(c.peer), c.scope, c.v6)
		wantLen := uint32(16)
		if c.v6 {
			wantLen = 28
		}
		got, scope := sockaddrPeer(&sa)
		if got.String() != c.want || scope != c.scope || n != wantLen {
			t.Errorf("%s (v6 socket %v): read back %s scope %d length %d, want %s scope %d length %d", c.peer, c.v6, got, scope, n, c.want, c.scope, wantLen)
		}
	}
}

// TestBatchCallsAllocateNothing: reading a batch and writing one allocate
// nothing. Each recvmmsg and sendmmsg is one wake-up of the loop at a
// moderate rate of queries; an allocation there is garbage per query.
func TestBatchCallsAllocateNothing(t *testing.T) {
	server, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatalf("listen: %v (the test needs loopback)", err)
	}
	defer server.Close()
	client, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer client.Close()
	bc, err := newBatchConn(server, 1)
	if err != nil {
		t.Fatalf("newBatchConn: %v", err)
	}
	b := bc.(*rawBatchConn)

	const runs = 100
	// Everything is queued before counting, so that no read waits on the
	// poller and the client's sends are not counted.
	for range runs + 1 {
		if _, err := client.WriteToUDPAddrPort([]byte("query"), server.LocalAddr().(*net.UDPAddr).AddrPort()); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	in := []datagram{{buf: make([]byte, 0, 512)}}
	out := []datagram{{buf: []byte("reply"), from: client.LocalAddr().(*net.UDPAddr).AddrPort()}}
	var failed error
	allocs := testing.AllocsPerRun(runs, func() {
		b.prepare(0, &in[0])
		if n, err := b.call(false, unix.SYS_RECVMMSG, 1); err != nil || n != 1 {
			failed = fmt.Errorf("recvmmsg: %d, %v", n, err)
		}
		if n, err := b.writeBatch(out); err != nil || n != 1 {
			failed = fmt.Errorf("sendmmsg: %d, %v", n, err)
		}
	})
	if failed != nil {
		t.Fatal(failed)
	}
	if allocs != 0 {
		t.Errorf("a read and a write of one datagram allocate %v times, want 0", allocs)
	}
	buf := make([]byte, 16)
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, _, err := client.ReadFromUDPAddrPort(buf); err != nil || string(buf[:n]) != "reply" {
		t.Errorf("the client read %q, %v; want the reply", buf[:n], err)
	}
}
