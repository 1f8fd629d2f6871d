package dnsserver

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// countKey names one counter of Stats.QueryCounts or Stats.TransferCounts.
type countKey struct{ zone, qtype, rcodeOrResult string }

func queryCounts(st Stats) map[countKey]uint64 {
	out := make(map[countKey]uint64)
	for _, c := range st.QueryCounts {
		out[countKey{c.Zone, c.Type, c.Rcode}] += c.Count
	}
	return out
}

func transferCounts(st Stats) map[countKey]uint64 {
	out := make(map[countKey]uint64)
	for _, c := range st.TransferCounts {
		out[countKey{c.Zone, c.Type, c.Result}] += c.Count
	}
	return out
}

// failingWriter is a recorder whose writes fail after the first n
// messages, like a client that goes away part way through a transfer.
type failingWriter struct {
	*recorder
	n int
}

func (w *failingWriter) WriteMsg(m *dns.Msg) error {
	if len(w.msgs) >= w.n {
		return errors.New("connection reset by peer")
	}
	return w.recorder.WriteMsg(m)
}

// TestQueryAndTransferCounts sends queries of every kind through ServeDNS
// and checks each is counted once, under its zone, type and the rcode
// actually sent, across republishes of the zone.
func TestQueryAndTransferCounts(t *testing.T) {
	key := Key{Name: "xfr.", Algorithm: "hmac-sha256", Secret: "c2VjcmV0c2VjcmV0c2VjcmV0"}
	s, err := New(Config{Keys: []Key{key}, Zones: []ZoneConfig{
		{Name: "example.com.", AllowTransfer: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}},
		{Name: "example.org."}, // configured, never published
	}}, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	versions(t, s, 1) // serials 1, 2, 3

	send := func(q *dns.Msg, tcp bool, client string) *recorder {
		rec := newRecorder(t, tcp, client)
		s.ServeDNS(rec, q)
		return rec
	}
	send(query("www.example.com.", dns.TypeA), false, "192.0.2.99")
	send(query("WWW.Example.COM.", dns.TypeA), false, "192.0.2.99")
	send(query("nope.example.com.", dns.TypeAAAA), false, "192.0.2.99")
	send(query("www.example.com.", dns.TypeNAPTR), false, "192.0.2.99") // NODATA, a type not counted apart
	send(query("www.example.net.", dns.TypeA), false, "192.0.2.99")
	send(query("www.example.org.", dns.TypeMX), false, "192.0.2.99") // configured but not loaded: SERVFAIL
	send(new(dns.Msg), false, "192.0.2.99")                          // no question: FORMERR
	update := query("example.com.", dns.TypeSOA)
	update.Opcode = dns.OpcodeUpdate
	send(update, false, "192.0.2.99")
	badVers := query("www.example.com.", dns.TypeA)
	badVers.SetEdns0(1232, false)
	badVers.IsEdns0().SetVersion(1)
	send(badVers, false, "192.0.2.99")
	badSig := newRecorder(t, true, "127.0.0.1")
	badSig.tsigStatus = dns.ErrSig
	s.ServeDNS(badSig, signed(xfrQuery(dns.TypeIXFR, 1), "xfr."))

	send(xfrQuery(dns.TypeAXFR, 0), true, "10.1.2.3")            // address not allowed
	send(xfrQuery(dns.TypeAXFR, 0), false, "127.0.0.1")          // AXFR over UDP
	send(xfrQuery(dns.TypeAXFR, 0), true, "127.0.0.1")           // served
	send(xfrQuery(dns.TypeIXFR, 3), true, "127.0.0.1")           // up to date
	send(xfrQuery(dns.TypeIXFR, 1), false, "127.0.0.1")          // over UDP: the SOA alone
	send(xfrQuery(dns.TypeIXFR, 1), true, "127.0.0.1")           // incremental
	send(xfrQuery(dns.TypeIXFR, 0), true, "127.0.0.1")           // serial not in the journal: AXFR
	send(query("example.com.", dns.TypeIXFR), true, "127.0.0.1") // no SOA: FORMERR
	notApex := xfrQuery(dns.TypeAXFR, 0)
	notApex.Question[0].Name = "www.example.com."
	send(notApex, true, "127.0.0.1")
	aborted := &failingWriter{recorder: newRecorder(t, true, "127.0.0.1"), n: 0}
	s.ServeDNS(aborted, xfrQuery(dns.TypeAXFR, 0))

	// A new version keeps the counts of the old one.
	if err := s.Publish(parseZone(t, "example.com.", withSerial(testZone, "4"))); err != nil {
		t.Fatal(err)
	}
	send(query("www.example.com.", dns.TypeA), false, "192.0.2.99")

	st := s.Stats()
	wantQueries := map[countKey]uint64{
		{"example.com.", "A", "NOERROR"}:     3,
		{"example.com.", "AAAA", "NXDOMAIN"}: 1,
		{"example.com.", Other, "NOERROR"}:   1,
		{"", "A", "REFUSED"}:                 1,
		{"", "MX", "SERVFAIL"}:               1,
		{"", Other, "FORMERR"}:               1,
		{"example.com.", "SOA", "NOTIMP"}:    1,
		{"example.com.", "A", "BADVERS"}:     1,
		{"example.com.", "IXFR", "NOTAUTH"}:  1,
		{"example.com.", "AXFR", "REFUSED"}:  1,
		{"example.com.", "AXFR", "NOTIMP"}:   1,
		{"example.com.", "AXFR", "NOERROR"}:  2, // served and aborted
		{"example.com.", "AXFR", "NOTAUTH"}:  1,
		{"example.com.", "IXFR", "NOERROR"}:  4,
		{"example.com.", "IXFR", "FORMERR"}:  1,
	}
	if got := queryCounts(st); !maps.Equal(got, wantQueries) {
		t.Errorf("query counts:\n got %v\nwant %v", got, wantQueries)
	}
	wantTransfers := map[countKey]uint64{
		{"example.com.", "AXFR", "refused"}:  3,
		{"example.com.", "AXFR", "ok"}:       2, // AXFR, and IXFR falling back
		{"example.com.", "AXFR", "aborted"}:  1,
		{"example.com.", "IXFR", "uptodate"}: 2,
		{"example.com.", "IXFR", "ok"}:       1,
		{"example.com.", "IXFR", "formerr"}:  1,
	}
	if got := transferCounts(st); !maps.Equal(got, wantTransfers) {
		t.Errorf("transfer counts:\n got %v\nwant %v", got, wantTransfers)
	}
	if st.Queries != 21 || st.AXFR != 2 || st.IXFR != 3 || st.TSIGFailures != 1 {
		t.Errorf("totals: %d queries, %d AXFR, %d IXFR, %d TSIG failures; want 21, 2, 3, 1", st.Queries, st.AXFR, st.IXFR, st.TSIGFailures)
	}
}

func TestPanicCountedOnce(t *testing.T) {
	s := newTestServer(t, Config{})
	breakIndex(s)
	s.ServeDNS(newRecorder(t, false, "127.0.0.1"), query("alias.example.com.", dns.TypeMX))
	want := map[countKey]uint64{{"example.com.", "MX", "SERVFAIL"}: 1}
	if got := queryCounts(s.Stats()); !maps.Equal(got, want) {
		t.Errorf("query counts %v, want %v", got, want)
	}
}

// TestCountsOrdered checks the order Stats documents: zone, then type and
// rcode in the order of QueryTypes and Rcodes.
func TestCountsOrdered(t *testing.T) {
	s, err := New(Config{Zones: []ZoneConfig{{Name: "b.test."}, {Name: "a.test."}}}, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	for _, origin := range []string{"a.test.", "b.test."} {
		if err := s.Publish(parseZone(t, origin, "@ 60 SOA ns hm 1 2 3 4 5\n@ 60 NS ns.example.net.\n")); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []*dns.Msg{
		query("x.b.test.", dns.TypeA), query("b.test.", dns.TypeTXT), query("a.test.", dns.TypeA),
		query("x.a.test.", dns.TypeA), query("other.", dns.TypeA), query("a.test.", 65280),
	} {
		s.ServeDNS(newRecorder(t, false, "127.0.0.1"), q)
	}
	var got []string
	for _, c := range s.Stats().QueryCounts {
		got = append(got, fmt.Sprintf("%q %s %s %d", c.Zone, c.Type, c.Rcode, c.Count))
	}
	want := []string{`"" A REFUSED 1`, `"a.test." A NOERROR 1`, `"a.test." A NXDOMAIN 1`, `"a.test." other NOERROR 1`,
		`"b.test." A NXDOMAIN 1`, `"b.test." TXT NOERROR 1`}
	if !slices.Equal(got, want) {
		t.Errorf("QueryCounts\n got %q\nwant %q", got, want)
	}
}

func TestLabelSets(t *testing.T) {
	types, rcodes := QueryTypes(), Rcodes()
	if len(types) != 18 || types[0] != "A" || types[16] != "IXFR" || types[17] != Other {
		t.Errorf("QueryTypes() = %v", types)
	}
	if len(rcodes) != 9 || rcodes[0] != "NOERROR" || rcodes[7] != "BADVERS" || rcodes[8] != Other {
		t.Errorf("Rcodes() = %v", rcodes)
	}
}

// TestServeDNSAllocations bounds what ServeDNS allocates: the reply, its
// sections and the records decoded from the zone's wire form; finding the
// zone and counting the answer allocate nothing.
func TestServeDNSAllocations(t *testing.T) {
	s := newTestServer(t, Config{})
	w := &lastWriter{remote: newRecorder(t, false, "127.0.0.1").remote}
	for _, c := range serveCases {
		q := query(c.name, c.qtype)
		want := 7.0 // the reply, its section, the A record and its address, the answering state
		switch c.rcode {
		case dns.RcodeRefused:
			want = 1 // the reply alone
		case dns.RcodeNameError:
			want = 3 // the reply, its authority section, the answering state
		}
		if got := testing.AllocsPerRun(100, func() { s.ServeDNS(w, q) }); got > want {
			t.Errorf("%s: %v allocations per query, want at most %v", c.name, got, want)
		}
	}
}

// TestCountsOverTheWire counts queries that came through real sockets.
// The server counts an answer after sending it, so the test polls until
// the three queries and the transfer are counted.
func TestCountsOverTheWire(t *testing.T) {
	s := newTestServer(t, Config{})
	addr := startServer(t, s)
	exchange(t, "udp", addr, query("www.example.com.", dns.TypeAAAA))
	exchange(t, "udp", addr, query("www.example.net.", dns.TypeA))
	c := &dns.Client{Net: "tcp", Timeout: 5 * time.Second}
	if _, _, err := c.Exchange(xfrQuery(dns.TypeIXFR, 2024010101), addr); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	st := s.Stats()
	for ; (st.Queries < 3 || st.IXFR < 1) && time.Now().Before(deadline); st = s.Stats() {
		time.Sleep(time.Millisecond) // polling interval, not a wait for an outcome
	}
	wantQueries := map[countKey]uint64{
		{"example.com.", "AAAA", "NOERROR"}: 1,
		{"", "A", "REFUSED"}:                1,
		{"example.com.", "IXFR", "NOERROR"}: 1,
	}
	if got := queryCounts(st); !maps.Equal(got, wantQueries) {
		t.Errorf("query counts %v, want %v", got, wantQueries)
	}
	wantTransfers := map[countKey]uint64{{"example.com.", "IXFR", "uptodate"}: 1}
	if got := transferCounts(st); !maps.Equal(got, wantTransfers) {
		t.Errorf("transfer counts %v, want %v", got, wantTransfers)
	}
}
