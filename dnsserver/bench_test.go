package dnsserver

import (
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
