package dnsserver

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// startUDPOn serves s on a UDP socket bound to addr (and TCP on the same
// port) and returns the address.
func startUDPOn(t *testing.T, s *Server, network, addr string) string {
	t.Helper()
	pc, err := net.ListenPacket(network, addr)
	if err != nil {
		t.Fatalf("listen %s %s: %v (the test needs loopback %s)", network, addr, err, network)
	}
	if err := s.Start(pc, nil); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return pc.LocalAddr().String()
}

// TestUDPFamilies: the batched UDP loop reads the asker's address and
// answers it, on an IPv4 socket, an IPv6 one, and a dual-stack IPv6
// socket asked over IPv4 (the peer is then an IPv4-mapped address).
func TestUDPFamilies(t *testing.T) {
	cases := []struct{ name, network, listen, ask string }{
		{"ipv4", "udp4", "127.0.0.1:0", "127.0.0.1"},
		{"ipv6", "udp6", "[::1]:0", "::1"},
		{"dual stack asked over ipv4", "udp", "[::]:0", "127.0.0.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newTestServer(t, Config{})
			addr := startUDPOn(t, s, c.network, c.listen)
			_, port, _ := net.SplitHostPort(addr)
			target := net.JoinHostPort(c.ask, port)
			for _, q := range []*dns.Msg{query("www.example.com.", dns.TypeA), query("nothere.example.com.", dns.TypeA), query("www.example.com.", dns.TypeTXT)} {
				r := exchange(t, "udp", target, q)
				if r.Id != q.Id || len(r.Question) != 1 || r.Question[0] != q.Question[0] {
					t.Fatalf("asked %v from %s, got %v", q.Question, target, r)
				}
			}
			if r := exchange(t, "udp", target, query("www.example.com.", dns.TypeA)); r.Rcode != dns.RcodeSuccess || len(r.Answer) == 0 {
				t.Errorf("www A over %s: rcode %s, %d answers", c.name, dns.RcodeToString[r.Rcode], len(r.Answer))
			}
		})
	}
}

// TestUDPBatches: many askers at once, each on its own socket, get their
// own answers (replies go back to the address each datagram came from,
// batched or not).
func TestUDPBatches(t *testing.T) {
	s := newTestServer(t, Config{})
	addr := startUDPOn(t, s, "udp4", "127.0.0.1:0")
	const askers, each = 16, 50
	var wg sync.WaitGroup
	errs := make(chan error, askers)
	for a := range askers {
		wg.Go(func() {
			c, err := net.Dial("udp", addr)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			co := &dns.Conn{Conn: c}
			for i := range each {
				q := query("www.example.com.", dns.TypeA)
				q.Id = uint16(a*each + i)
				c.SetDeadline(time.Now().Add(5 * time.Second))
				if err := co.WriteMsg(q); err != nil {
					errs <- err
					return
				}
				r, err := co.ReadMsg()
				if err != nil {
					errs <- err
					return
				}
				if r.Id != q.Id || len(r.Answer) == 0 {
					errs <- &net.AddrError{Err: "wrong answer", Addr: r.String()}
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
