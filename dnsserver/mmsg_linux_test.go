//go:build linux

package dnsserver

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/miekg/dns"
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
	defer bc.close()
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
		if n, err := b.call(unix.SYS_RECVMMSG, 1); err != nil || n != 1 {
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

// TestLoopsTakeAProcessorEach: every UDP loop adds one processor to
// GOMAXPROCS while it runs (its thread sleeps in the kernel holding it),
// and Shutdown gives them all back.
func TestLoopsTakeAProcessorEach(t *testing.T) {
	base := runtime.GOMAXPROCS(0)
	s := newTestServer(t, Config{})
	if err := s.ListenAndStart("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	loops := udpSockets()
	if got := runtime.GOMAXPROCS(0); got != base+loops {
		t.Errorf("GOMAXPROCS while serving: %d, want %d (%d and one per loop, %d loops)", got, base+loops, base, loops)
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if got := runtime.GOMAXPROCS(0); got != base {
		t.Errorf("GOMAXPROCS after Shutdown: %d, want %d again", got, base)
	}
}

// TestShutdownReleasesAWaitingSocket: Shutdown wakes a loop that sleeps
// in the kernel waiting for a datagram, and the socket is closed: the
// port can be bound again by a socket without SO_REUSEPORT.
func TestShutdownReleasesAWaitingSocket(t *testing.T) {
	s := newTestServer(t, Config{})
	if err := s.ListenAndStart("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	addr := udpAddr(s)
	exchange(t, "udp", addr, query("www.example.com.", dns.TypeA)) // the loop waits again after it
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Fatalf("binding %s after Shutdown: %v (a socket of the server is still open)", addr, err)
	}
	pc.Close()
}

// TestCollectionWhileLoopsWait: garbage collection, which stops every
// goroutine, completes while the loops wait for datagrams, both on the
// poller and in the raw ppoll of a high rate of queries (which the
// runtime's signal interrupts); the server answers after each collection.
func TestCollectionWhileLoopsWait(t *testing.T) {
	for _, raw := range []bool{false, true} {
		t.Run(fmt.Sprintf("raw %v", raw), func(t *testing.T) {
			if raw {
				from, below := rawFrom, pollerBelow
				rawFrom, pollerBelow = 1, 0 // raw from the first batch on, for good
				defer func() { rawFrom, pollerBelow = from, below }()
			}
			s := newTestServer(t, Config{})
			if err := s.ListenAndStart("127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			defer s.Shutdown(context.Background())
			addr := udpAddr(s)
			for range 20 {
				exchange(t, "udp", addr, query("www.example.com.", dns.TypeA))
				done := make(chan struct{})
				go func() { runtime.GC(); close(done) }()
				select {
				case <-done:
				case <-time.After(20 * time.Second):
					t.Fatal("garbage collection did not complete in 20 s while the loops waited")
				}
			}
			if got := someWaitRaw(s); got != raw {
				t.Errorf("a loop waits raw: %v, want %v", got, raw)
			}
			if r := exchange(t, "udp", addr, query("www.example.com.", dns.TypeA)); len(r.Answer) == 0 {
				t.Errorf("no answer after the collections: %v", r)
			}
		})
	}
}

// udpAddr is the address of s's first UDP socket.
func udpAddr(s *Server) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.udp[0].bc.localAddr().String()
}

// someWaitRaw tells whether one of s's loops waits raw.
func someWaitRaw(s *Server) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.udp {
		if l.bc.(*rawBatchConn).raw.Load() {
			return true
		}
	}
	return false
}

// TestLoopsChangeHowTheyWait: a loop goes from the poller to the raw wait
// while queries come fast, and back once they stop, answering every query
// on the way. (With the thresholds set low: one batch in a window of
// rateWindow makes it wait raw, a window with none sends it back.)
func TestLoopsChangeHowTheyWait(t *testing.T) {
	from, below := rawFrom, pollerBelow
	rawFrom, pollerBelow = 1, 1
	defer func() { rawFrom, pollerBelow = from, below }()
	s := newTestServer(t, Config{})
	if err := s.ListenAndStart("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	c, err := net.Dial("udp", udpAddr(s)) // one source port: one socket gets every query
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	co := &dns.Conn{Conn: c}
	ask := func(id uint16) {
		t.Helper()
		q := query("www.example.com.", dns.TypeA)
		q.Id = id
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if err := co.WriteMsg(q); err != nil {
			t.Fatal(err)
		}
		r, err := co.ReadMsg()
		if err != nil || r.Id != q.Id || len(r.Answer) == 0 {
			t.Fatalf("query %d: %v, %v", id, r, err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	var id uint16
	for ; !someWaitRaw(s); id++ {
		if time.Now().After(deadline) {
			t.Fatalf("no loop waits raw after %d queries", id)
		}
		ask(id)
	}
	for someWaitRaw(s) {
		if time.Now().After(deadline) {
			t.Fatal("the loop still waits raw with no queries coming")
		}
		time.Sleep(10 * time.Millisecond)
	}
	ask(id)
}
