package dnsserver

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// startServer serves s on fresh loopback sockets and returns the address.
// listenPair binds UDP and TCP on one free loopback port. The UDP port
// the kernel picks may be taken on TCP by another program (the machine is
// shared), so a few ports are tried.
func listenPair(t *testing.T) (net.PacketConn, net.Listener) {
	t.Helper()
	var lastErr error
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln
		}
		pc.Close()
		lastErr = err
	}
	t.Fatalf("no loopback port free on both UDP and TCP: %v", lastErr)
	return nil, nil
}

func startServer(t *testing.T, s *Server) string {
	t.Helper()
	pc, ln := listenPair(t)
	if err := s.Start(pc, ln); err != nil {
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

func exchange(t *testing.T, network, addr string, q *dns.Msg) *dns.Msg {
	t.Helper()
	c := &dns.Client{Net: network, Timeout: 5 * time.Second}
	r, _, err := c.Exchange(q, addr)
	if err != nil {
		t.Fatalf("%s query: %v", network, err)
	}
	return r
}

func TestTruncatedOverUDPCompleteOverTCP(t *testing.T) {
	s, err := New(Config{Zones: []ZoneConfig{{Name: "big.test."}}}, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(parseZone(t, "big.test.", bigZone(t))); err != nil {
		t.Fatal(err)
	}
	addr := startServer(t, s)
	if r := exchange(t, "udp", addr, query("txt.big.test.", dns.TypeTXT)); !r.Truncated {
		t.Errorf("udp answer not truncated")
	}
	if r := exchange(t, "tcp", addr, query("txt.big.test.", dns.TypeTXT)); r.Truncated || len(r.Answer) != 40 {
		t.Errorf("tcp answer tc=%v with %d records, want 40 untruncated", r.Truncated, len(r.Answer))
	}
}

func writeTCP(t *testing.T, c net.Conn, msgs ...*dns.Msg) {
	t.Helper()
	var buf []byte
	for _, m := range msgs {
		b, err := m.Pack()
		if err != nil {
			t.Fatal(err)
		}
		buf = binary.BigEndian.AppendUint16(buf, uint16(len(b)))
		buf = append(buf, b...)
	}
	if _, err := c.Write(buf); err != nil {
		t.Fatal(err)
	}
}

func readTCP(t *testing.T, c net.Conn) *dns.Msg {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var n uint16
	if err := binary.Read(c, binary.BigEndian, &n); err != nil {
		t.Fatalf("read answer length: %v", err)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(c, b); err != nil {
		t.Fatal(err)
	}
	m := new(dns.Msg)
	if err := m.Unpack(b); err != nil {
		t.Fatal(err)
	}
	return m
}

// waitClosed waits for the server to close c.
func waitClosed(t *testing.T, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !isReset(err) {
		t.Fatalf("connection not closed by the server: %v", err)
	}
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && !op.Timeout()
}

func TestTCPPipelining(t *testing.T) {
	addr := startServer(t, newTestServer(t, Config{}))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	names := []string{"www.example.com.", "mail.example.com.", "ns1.example.com."}
	var qs []*dns.Msg
	for _, n := range names {
		qs = append(qs, query(n, dns.TypeA))
	}
	writeTCP(t, c, qs...) // all three before reading any answer
	for i, q := range qs {
		r := readTCP(t, c)
		if r.Id != q.Id || len(r.Answer) != 1 || r.Answer[0].Header().Name != names[i] {
			t.Errorf("answer %d: id %d %v, want id %d for %s", i, r.Id, r.Answer, q.Id, names[i])
		}
	}
}

// tcpTestServer serves the test zone, letting 127.0.0.9 transfer it:
// that address is trusted, every other loopback address is not.
func tcpTestServer(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	cfg.Zones = []ZoneConfig{{Name: "example.com.", AllowTransfer: []netip.Prefix{netip.MustParsePrefix("127.0.0.9/32")}}}
	if cfg.TCPIdleTimeout == 0 {
		cfg.TCPIdleTimeout = time.Minute // no test here waits for it unless it sets it
	}
	s := newTestServer(t, cfg)
	return s, startServer(t, s)
}

// served dials addr from the loopback address from, has one query
// answered on the connection, and waits until the server counts it idle
// again: each step then finds the server in a known state.
func served(t *testing.T, s *Server, addr, from string) net.Conn {
	t.Helper()
	c := dialFrom(t, addr, from)
	ask(t, c)
	waitFor(t, "the connection to be idle again", func() bool { return connIdle(s, c) })
	return c
}

// ask has one query answered on c.
func ask(t *testing.T, c net.Conn) {
	t.Helper()
	q := query("www.example.com.", dns.TypeA)
	writeTCP(t, c, q)
	if r := readTCP(t, c); r.Id != q.Id || len(r.Answer) != 1 {
		t.Fatalf("tcp answer %v, want one record for id %d", r, q.Id)
	}
}

func TestTCPLimits(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		run  func(t *testing.T, s *Server, addr string)
	}{
		{"idle connection closed", Config{TCPIdleTimeout: 200 * time.Millisecond}, func(t *testing.T, s *Server, addr string) {
			waitClosed(t, dialFrom(t, addr, "127.0.0.1"))
		}},
		{"oversized query closes the connection", Config{}, func(t *testing.T, s *Server, addr string) {
			c := dialFrom(t, addr, "127.0.0.1")
			if _, err := c.Write([]byte{0x13, 0x88}); err != nil { // 5000 bytes announced
				t.Fatal(err)
			}
			waitClosed(t, c)
		}},
		{"an address over its cap is closed, others are not", Config{Limits: Limits{MaxTCPConnsPerClient: 2}}, func(t *testing.T, s *Server, addr string) {
			served(t, s, addr, "127.0.0.1")
			served(t, s, addr, "127.0.0.1")
			waitClosed(t, dialFrom(t, addr, "127.0.0.1"))
			served(t, s, addr, "127.0.0.2")
			if st := s.Stats(); st.TCPConnsClientRejected != 1 || st.TCPConns != 3 {
				t.Errorf("TCPConnsClientRejected = %d, TCPConns = %d; want 1 and 3", st.TCPConnsClientRejected, st.TCPConns)
			}
		}},
		{"when full, the longest idle connection gives its slot", Config{MaxTCPConns: 3, Limits: Limits{TCPReservedConns: 1}}, func(t *testing.T, s *Server, addr string) {
			first := served(t, s, addr, "127.0.0.1")
			second := served(t, s, addr, "127.0.0.2")
			served(t, s, addr, "127.0.0.3") // untrusted: takes the first one's slot
			waitClosed(t, first)
			ask(t, second)
			if st := s.Stats(); st.TCPConnsEvicted != 1 || st.TCPConnsRejected != 0 {
				t.Errorf("TCPConnsEvicted = %d, TCPConnsRejected = %d; want 1 and 0", st.TCPConnsEvicted, st.TCPConnsRejected)
			}
		}},
		{"a trusted client takes a reserved slot", Config{MaxTCPConns: 3, Limits: Limits{TCPReservedConns: 1}}, func(t *testing.T, s *Server, addr string) {
			first := served(t, s, addr, "127.0.0.1")
			second := served(t, s, addr, "127.0.0.2")
			served(t, s, addr, "127.0.0.9")
			ask(t, first)
			ask(t, second)
			if st := s.Stats(); st.TCPConnsEvicted != 0 || st.TCPConns != 3 {
				t.Errorf("TCPConnsEvicted = %d, TCPConns = %d; want 0 and 3", st.TCPConnsEvicted, st.TCPConns)
			}
		}},
		{"an untrusted client cannot take a trusted slot", Config{MaxTCPConns: 2}, func(t *testing.T, s *Server, addr string) {
			first := served(t, s, addr, "127.0.0.9")
			second := served(t, s, addr, "127.0.0.9")
			waitClosed(t, dialFrom(t, addr, "127.0.0.1"))
			ask(t, first)
			ask(t, second)
			if st := s.Stats(); st.TCPConnsRejected != 1 || st.TCPConnsEvicted != 0 {
				t.Errorf("TCPConnsRejected = %d, TCPConnsEvicted = %d; want 1 and 0", st.TCPConnsRejected, st.TCPConnsEvicted)
			}
		}},
		{"the idle timeout shrinks as slots fill", Config{MaxTCPConns: 4, Limits: Limits{TCPReservedConns: -1, TCPMinIdleTimeout: 100 * time.Millisecond}}, func(t *testing.T, s *Server, addr string) {
			var conns []net.Conn
			for _, from := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"} {
				conns = append(conns, dialFrom(t, addr, from))
			}
			waitFor(t, "four connections", func() bool { return s.Stats().TCPConns == 4 })
			for _, c := range conns {
				ask(t, c) // each then waits for its next query with every slot taken
			}
			for _, c := range conns {
				waitClosed(t, c) // within 100ms, not the minute of TCPIdleTimeout
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, addr := tcpTestServer(t, tt.cfg)
			tt.run(t, s, addr)
		})
	}
}

// TestSignedTransferTrustsItsConnection: a client that needs a key to
// transfer is not trusted when it connects, but its connection is once
// it has signed a transfer: it then no longer counts against its
// address's cap.
func TestSignedTransferTrustsItsConnection(t *testing.T) {
	key := Key{Name: "xfr.", Algorithm: "hmac-sha256", Secret: secret}
	s := newTestServer(t, Config{TCPIdleTimeout: time.Minute, Keys: []Key{key}, Limits: Limits{MaxTCPConnsPerClient: 1},
		Zones: []ZoneConfig{{Name: "example.com.", Transfer: []TransferRule{{Key: "xfr."}}}}})
	addr := startServer(t, s)
	c := dialFrom(t, addr, "127.0.0.1")
	co := &dns.Conn{Conn: c, TsigSecret: map[string]string{"xfr.": secret}}
	if err := co.WriteMsg(signed(xfrQuery(dns.TypeAXFR, 0), "xfr.")); err != nil {
		t.Fatal(err)
	}
	// The test zone fits one message; the connection stays open.
	if r, err := co.ReadMsg(); err != nil || r.Rcode != dns.RcodeSuccess || len(r.Answer) < 2 {
		t.Fatalf("signed axfr: %v, %v", r, err)
	}
	waitFor(t, "the connection to be idle again", func() bool { return connIdle(s, c) })
	served(t, s, addr, "127.0.0.1") // the cap of 1 no longer counts the first
	if st := s.Stats(); st.TCPConnsClientRejected != 0 || st.TCPConns != 2 {
		t.Errorf("TCPConnsClientRejected = %d, TCPConns = %d; want 0 and 2", st.TCPConnsClientRejected, st.TCPConns)
	}
}

// dialFrom connects to addr from the loopback address from.
func dialFrom(t *testing.T, addr, from string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// connIdle reports whether the server holds c's connection idle, waiting
// for its next query.
func connIdle(s *Server, c net.Conn) bool {
	remote := addrPort(c.LocalAddr())
	s.tcp.mu.Lock()
	defer s.tcp.mu.Unlock()
	for _, l := range s.tcp.limiters {
		l.mu.Lock()
		tc := l.byRemote[remote]
		idle := tc != nil && tc.idleAt != nil
		l.mu.Unlock()
		if idle {
			return true
		}
	}
	return false
}

// waitFor polls cond until it holds, failing the test after 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestTSIGOverTheWire(t *testing.T) {
	key := Key{Name: "xfr.", Algorithm: "hmac-sha256", Secret: secret}
	s := newTestServer(t, Config{Keys: []Key{key}, Zones: []ZoneConfig{{Name: "example.com.", TransferKeys: []string{"xfr."}}}})
	addr := startServer(t, s)
	other := "b3RoZXItc2VjcmV0LW9mLXRoaXJ0eS10d28tYnl0ZXM="
	tests := []struct {
		name, secret, alg string
		ok                bool
	}{
		{"right key", secret, dns.HmacSHA256, true},
		{"wrong secret", other, dns.HmacSHA256, false},
		{"wrong algorithm", secret, dns.HmacSHA512, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &dns.Transfer{TsigSecret: map[string]string{"xfr.": tt.secret}}
			q := query("example.com.", dns.TypeAXFR)
			q.SetTsig("xfr.", tt.alg, 300, time.Now().Unix())
			ch, err := tr.In(q, addr)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for env := range ch {
				if env.Error != nil {
					err = env.Error
				}
				n += len(env.RR)
			}
			if tt.ok && (err != nil || n == 0) {
				t.Fatalf("signed axfr: %d records, err %v", n, err)
			}
			if !tt.ok && (err == nil || n != 0) {
				t.Fatalf("axfr with a bad key: %d records, err %v; want refusal", n, err)
			}
		})
	}
	c := &dns.Client{Net: "udp", TsigSecret: map[string]string{"xfr.": secret}}
	q := query("www.example.com.", dns.TypeA)
	q.SetTsig("xfr.", dns.HmacSHA256, 300, time.Now().Unix())
	r, _, err := c.Exchange(q, addr)
	if err != nil || r.IsTsig() == nil || len(r.Answer) != 1 {
		t.Fatalf("signed query: %v, %v; want a signed answer", r, err)
	}
}

func TestShutdownStopsServing(t *testing.T) {
	s := newTestServer(t, Config{})
	if err := s.ListenAndStart("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatalf("second Shutdown: %v", err)
	}
	pc, _ := net.ListenPacket("udp", "127.0.0.1:0")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	if err := s.Start(pc, ln); err == nil {
		t.Fatal("Start after Shutdown succeeded")
	}
}
