package dnsserver

import (
	"encoding/binary"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// wire packs m, then applies edit to the bytes.
func wire(t testing.TB, m *dns.Msg, edit func([]byte) []byte) []byte {
	t.Helper()
	b, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	return edit(b)
}

func setCount(i int, n uint16) func([]byte) []byte {
	return func(b []byte) []byte { binary.BigEndian.PutUint16(b[4+2*i:], n); return b }
}

func same(b []byte) []byte { return b }

// malformed are queries whose header counts what they do not hold.
func malformed(t testing.TB) map[string][]byte {
	www := query("www.example.com.", dns.TypeA)
	www.RecursionDesired = true
	edns := www.Copy()
	edns.SetEdns0(1232, false)
	return map[string][]byte{
		"answer count says 1, none there":     wire(t, www, setCount(1, 1)),
		"authority count says 1, none there":  wire(t, www, setCount(2, 1)),
		"additional count says 2, one there":  wire(t, edns, setCount(3, 2)),
		"question count says 2, one there":    wire(t, www, setCount(0, 2)),
		"rdata runs past the end":             wire(t, edns, func(b []byte) []byte { return b[:len(b)-1] }),
		"question cut short":                  wire(t, www, func(b []byte) []byte { return b[:len(b)-2] }),
		"label runs past the end":             wire(t, www, func(b []byte) []byte { return b[:15] }),
		"unknown label type":                  wire(t, www, func(b []byte) []byte { b[12] = 0x41; return b }),
		"compression pointer cut in two":      append(wire(t, www, setCount(1, 1)), 0xC0),
		"name longer than 255 bytes":          nameTooLong(),
		"header only with additional counted": wire(t, &dns.Msg{}, setCount(3, 1)),
	}
}

func nameTooLong() []byte {
	b := make([]byte, headerLen)
	binary.BigEndian.PutUint16(b[4:], 1)
	for range 5 {
		b = append(b, 63)
		b = append(b, make([]byte, 63)...)
	}
	return append(b, 0, 0, 1, 0, 1)
}

func TestLayout(t *testing.T) {
	for name, b := range malformed(t) {
		if layoutOK(b) {
			t.Errorf("%s: layout accepted", name)
		}
	}
	www := query("www.example.com.", dns.TypeA)
	signedEDNS := www.Copy()
	signedEDNS.SetEdns0(1232, true)
	signedEDNS.Ns = []dns.RR{&dns.SOA{Hdr: dns.RR_Header{Name: "example.com.", Rrtype: dns.TypeSOA, Class: dns.ClassINET}, Ns: "a.", Mbox: "b."}}
	signedEDNS.Compress = true
	good := map[string][]byte{
		"plain query":                 wire(t, www, same),
		"edns, authority, compressed": wire(t, signedEDNS, same),
		"trailing bytes (as NSD)":     append(wire(t, www, same), 0, 0, 0),
		"no question":                 wire(t, &dns.Msg{}, same),
	}
	for name, b := range good {
		if !layoutOK(b) {
			t.Errorf("%s: layout refused", name)
		}
	}
}

// TestMalformedLayoutOverTheWire: over UDP and TCP, each malformed
// query is answered FORMERR with its ID, RD and question (when that
// parses) and counted; over TCP the connection is then closed, as Knot
// closes it.
func TestMalformedLayoutOverTheWire(t *testing.T) {
	s := newTestServer(t, Config{})
	addr := startServer(t, s)
	udp, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	n := 0
	for name, b := range malformed(t) {
		for _, network := range []string{"udp", "tcp"} {
			var r *dns.Msg
			if network == "udp" {
				udp.Write(b)
				r = readUDP(t, udp)
			} else {
				tcp := dial(t, addr)
				tcp.Write(binary.BigEndian.AppendUint16(nil, uint16(len(b))))
				tcp.Write(b)
				r = readTCP(t, tcp)
				if !closedByServer(tcp) {
					t.Errorf("%s over tcp: the connection stays open after the FORMERR", name)
				}
			}
			n++
			if r.Rcode != dns.RcodeFormatError || r.Id != binary.BigEndian.Uint16(b) || !r.Response {
				t.Errorf("%s over %s: rcode %s id %d, want FORMERR id %d", name, network, dns.RcodeToString[r.Rcode], r.Id, binary.BigEndian.Uint16(b))
			}
			if r.IsEdns0() != nil || len(r.Answer)+len(r.Ns) != 0 {
				t.Errorf("%s over %s: FORMERR with records or OPT: %v", name, network, r)
			}
		}
	}
	// A reply is counted once it is sent, so the last count can come
	// just after the client read the reply: read until it is there.
	formerrs := func() uint64 {
		var sum uint64
		for _, c := range s.Stats().QueryCounts {
			if c.Rcode == "FORMERR" {
				sum += c.Count
			}
		}
		return sum
	}
	deadline := time.Now().Add(5 * time.Second)
	for formerrs() < uint64(n) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := formerrs(); got != uint64(n) {
		t.Errorf("%d FORMERR counted, want %d", got, n)
	}
}

// closedByServer reports whether the server has closed c: a read ends
// at EOF (or a reset) rather than at the deadline.
func closedByServer(c net.Conn) bool {
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

// TestTCPFramesThatAreNotMessages: a TCP frame too short for a header
// (an empty one too) closes the connection without an answer, as NSD
// and Knot close it; a response sent to the server is dropped and the
// connection goes on.
func TestTCPFramesThatAreNotMessages(t *testing.T) {
	s := newTestServer(t, Config{})
	addr := startServer(t, s)
	for name, frame := range map[string][]byte{"empty": {}, "5 bytes": {0x12, 0x34, 0x01, 0x00, 0x00}} {
		c := dial(t, addr)
		c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(frame))), frame...))
		if !closedByServer(c) {
			t.Errorf("%s frame: the connection is not closed", name)
		}
	}
	c := dial(t, addr)
	resp := query("www.example.com.", dns.TypeA)
	resp.Response = true
	q := query("www.example.com.", dns.TypeA)
	writeTCP(t, c, resp, q)
	if r := readTCP(t, c); len(r.Answer) != 1 || r.Id != q.Id {
		t.Errorf("the query after a response on the same connection: %v", r)
	}
}

func TestMalformedLayoutKeepsQuestion(t *testing.T) {
	b := malformed(t)["answer count says 1, none there"]
	r := formErrQuery(b)
	if len(r.Question) != 1 || r.Question[0].Name != "www.example.com." || !r.RecursionDesired {
		t.Errorf("query read back as %v, want its question and RD", r)
	}
}

func readUDP(t *testing.T, c net.Conn) *dns.Msg {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 65535)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("read udp answer: %v", err)
	}
	m := new(dns.Msg)
	if err := m.Unpack(buf[:n]); err != nil {
		t.Fatal(err)
	}
	return m
}

// FuzzLayout: layoutOK never panics, and a message it accepts that the
// dns package parses has as many records as its header counts: counts
// that lie cannot reach the handler.
func FuzzLayout(f *testing.F) {
	for _, b := range malformed(f) {
		f.Add(b)
	}
	f.Add(wire(f, query("www.example.com.", dns.TypeA), same))
	f.Fuzz(func(t *testing.T, b []byte) {
		if !layoutOK(b) {
			return
		}
		m := new(dns.Msg)
		if m.Unpack(b) != nil {
			return
		}
		counts := [4]int{len(m.Question), len(m.Answer), len(m.Ns), len(m.Extra)}
		for i, n := range counts {
			if want := int(binary.BigEndian.Uint16(b[4+2*i:])); n != want {
				t.Fatalf("section %d: %d parsed, header counts %d", i, n, want)
			}
		}
	})
}
