package dnsserver

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// startServer serves s on fresh loopback sockets and returns the address.
func startServer(t *testing.T, s *Server) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
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
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
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

func TestTCPLimits(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, addr string, s *Server)
	}{
		{"idle connection closed", func(t *testing.T, addr string, s *Server) {
			c := dial(t, addr)
			waitClosed(t, c)
		}},
		{"oversized query closes the connection", func(t *testing.T, addr string, s *Server) {
			c := dial(t, addr)
			if _, err := c.Write([]byte{0x13, 0x88}); err != nil { // 5000 bytes announced
				t.Fatal(err)
			}
			waitClosed(t, c)
		}},
		{"connections over the cap closed", func(t *testing.T, addr string, s *Server) {
			for range 2 {
				c := dial(t, addr)
				writeTCP(t, c, query("www.example.com.", dns.TypeA))
				readTCP(t, c) // served: it holds a slot
			}
			waitClosed(t, dial(t, addr))
			if got := s.Stats().TCPConnsRejected; got != 1 {
				t.Errorf("TCPConnsRejected = %d, want 1", got)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, Config{MaxTCPConns: 2, TCPIdleTimeout: 300 * time.Millisecond})
			tt.run(t, startServer(t, s), s)
		})
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
