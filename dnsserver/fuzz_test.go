package dnsserver

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

// FuzzServeDNS feeds arbitrary bytes to the query path as a listener
// would: bytes that do not parse never reach the handler; everything else
// must get well-formed replies (or none) within the transport's size, and
// be counted once if answered.
func FuzzServeDNS(f *testing.F) {
	seeds := []*dns.Msg{
		query("www.example.com.", dns.TypeA), query("x.cn.example.com.", dns.TypeA),
		query("www.sub.example.com.", dns.TypeA), query("txt.big.test.", dns.TypeTXT),
		query("example.com.", dns.TypeAXFR), xfrQuery(dns.TypeIXFR, 1),
	}
	edns := query("loop1.example.com.", dns.TypeANY)
	edns.SetEdns0(700, true)
	seeds = append(seeds, edns)
	for _, m := range seeds {
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
		f.Add(b, true)
	}
	s := fuzzServer(f)
	f.Fuzz(func(t *testing.T, b []byte, tcp bool) {
		q := new(dns.Msg)
		if q.Unpack(b) != nil {
			return
		}
		rec := newRecorder(t, tcp, "127.0.0.1")
		before := s.Stats().Queries
		s.ServeDNS(rec, q)
		if q.Response && len(rec.msgs) > 0 {
			t.Fatal("answered a response")
		}
		want := uint64(0)
		if len(rec.msgs) > 0 {
			want = 1 // a transfer is one query, however many messages it takes
		}
		if counted := s.Stats().Queries - before; counted != want {
			t.Fatalf("%d messages written, %d queries counted, want %d", len(rec.msgs), counted, want)
		}
		limit := dns.MinMsgSize
		if opt := q.IsEdns0(); opt != nil {
			limit = max(limit, int(min(opt.UDPSize(), s.cfg.UDPSize)))
		}
		for i, m := range rec.msgs {
			if m.Id != q.Id || !m.Response || m.RecursionAvailable {
				t.Fatalf("reply %d: id %d qr %v ra %v for query id %d", i, m.Id, m.Response, m.RecursionAvailable, q.Id)
			}
			if !tcp && rec.sizes[i] > limit {
				t.Fatalf("udp reply of %d bytes over the limit %d", rec.sizes[i], limit)
			}
		}
	})
}

func fuzzServer(f *testing.F) *Server {
	s, err := New(Config{Zones: []ZoneConfig{
		{Name: "example.com.", AllowTransfer: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}},
		{Name: "big.test."},
	}}, discardLog())
	if err != nil {
		f.Fatal(err)
	}
	for origin, text := range map[string]string{"example.com.": testZone, "big.test.": bigZoneText()} {
		if err := s.Publish(parseZone(f, origin, text)); err != nil {
			f.Fatal(err)
		}
	}
	return s
}

// FuzzIndex parses arbitrary zone text and answers from it: a zone the
// parser accepts must be answered from without panicking.
func FuzzIndex(f *testing.F) {
	f.Add(testZone, "www.example.com.", uint16(dns.TypeA))
	f.Add("$ORIGIN example.com.\n@ SOA a b 1 2 3 4 5\n@ NS a\na A 192.0.2.9\n*.x CNAME *.x\nx.y NS z.x.y.\nz.x.y A 192.0.2.1\n", "q.x.example.com.", uint16(dns.TypeDS))
	f.Fuzz(func(t *testing.T, text, qname string, qtype uint16) {
		if strings.Contains(strings.ToUpper(text), "$GENERATE") {
			return // one line can make 65535 records: slow, and tests the parser, not the index
		}
		v, err := zones.ParseVersion("example.com.", "fuzz", []byte(text), zones.ParseOptions{})
		if err != nil {
			return
		}
		ix := newIndex(v, new(zoneCounts))
		if _, ok := dns.IsDomainName(qname); !ok || !dns.IsSubDomain(ix.origin, strings.ToLower(dns.Fqdn(qname))) {
			return
		}
		m := new(dns.Msg)
		ix.answer(m, dns.Fqdn(qname), qtype)
		if _, err := m.Pack(); err != nil && len(m.Answer) < 1000 {
			t.Logf("answer does not pack: %v", err) // zone data the parser accepted but cannot encode
		}
	})
}
