package dnsserver

import (
	"net"
	"net/netip"
	"testing"

	"github.com/miekg/dns"
)

// BenchmarkLookup measures the zone lookup alone (no packing, no socket).
func BenchmarkLookup(b *testing.B) {
	s := newTestServer(b, Config{})
	ix := s.snap.Load().zones["example.com."]
	for _, q := range []struct {
		name  string
		qtype uint16
	}{{"www.example.com.", dns.TypeA}, {"nope.example.com.", dns.TypeA}, {"foo.wild.example.com.", dns.TypeTXT}, {"chain.example.com.", dns.TypeA}} {
		b.Run(q.name, func(b *testing.B) {
			b.ReportAllocs()
			m := new(dns.Msg)
			for b.Loop() {
				m.Answer, m.Ns, m.Extra = m.Answer[:0], m.Ns[:0], m.Extra[:0]
				ix.answer(m, q.name, q.qtype)
			}
		})
	}
}

// lastWriter is a dns.ResponseWriter for benchmarks: it keeps the last
// message written and does no I/O or packing, so that a benchmark
// measures the handler and not the wire format.
type lastWriter struct {
	remote net.Addr
	last   *dns.Msg
}

func (w *lastWriter) LocalAddr() net.Addr         { return w.remote }
func (w *lastWriter) RemoteAddr() net.Addr        { return w.remote }
func (w *lastWriter) WriteMsg(m *dns.Msg) error   { w.last = m; return nil }
func (w *lastWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *lastWriter) Close() error                { return nil }
func (w *lastWriter) TsigStatus() error           { return nil }
func (w *lastWriter) TsigTimersOnly(bool)         {}
func (w *lastWriter) Hijack()                     {}

// serveCases are the queries the ServeDNS benchmarks send, each with the
// rcode it must get.
var serveCases = []struct {
	name  string
	qtype uint16
	rcode int
}{
	{"www.example.com.", dns.TypeA, dns.RcodeSuccess},
	{"nope.example.com.", dns.TypeA, dns.RcodeNameError},
	{"www.example.net.", dns.TypeA, dns.RcodeRefused},
}

// BenchmarkServeDNS measures the whole query path of one UDP query, from
// ServeDNS to the (discarded) write: lookup, counting and answer
// assembly, without the socket and the wire format.
func BenchmarkServeDNS(b *testing.B) {
	s := newTestServer(b, Config{})
	for _, c := range serveCases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			w := &lastWriter{remote: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}}
			q := query(c.name, c.qtype)
			for b.Loop() {
				s.ServeDNS(w, q)
			}
			if w.last == nil || w.last.Rcode != c.rcode {
				b.Fatalf("answer %v, want rcode %s", w.last, dns.RcodeToString[c.rcode])
			}
		})
	}
}

// BenchmarkServeDNSParallel is BenchmarkServeDNS for one query from every
// core at once: the counters shared by the goroutines must not serialise
// them.
func BenchmarkServeDNSParallel(b *testing.B) {
	s := newTestServer(b, Config{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		w := &lastWriter{remote: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}}
		q := query("www.example.com.", dns.TypeA)
		for pb.Next() {
			s.ServeDNS(w, q)
		}
	})
}

// BenchmarkFastAnswer measures the fast path alone: parse the query,
// find the zone and the name, build the reply in wire form, count it.
func BenchmarkFastAnswer(b *testing.B) {
	s := newTestServer(b, Config{})
	addr := netip.MustParseAddr("127.0.0.1")
	buf := make([]byte, fastReplyMax)
	for _, c := range serveCases[:2] {
		b.Run(c.name, func(b *testing.B) {
			m := new(dns.Msg)
			m.SetQuestion(c.name, c.qtype)
			wire, _ := m.Pack()
			b.ReportAllocs()
			for b.Loop() {
				if s.fastAnswer(wire, addr, buf) <= 0 {
					b.Fatal("not on the fast path")
				}
			}
		})
	}
}
