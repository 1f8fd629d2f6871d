package dnsserver

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

func xfrQuery(qtype uint16, serial uint32) *dns.Msg {
	m := query("example.com.", qtype)
	if qtype == dns.TypeIXFR {
		m.Ns = []dns.RR{&dns.SOA{Hdr: dns.RR_Header{Name: "example.com.", Rrtype: dns.TypeSOA, Class: dns.ClassINET},
			Ns: "ns1.example.com.", Mbox: "hostmaster.example.com.", Serial: serial}}
	}
	return m
}

func signed(m *dns.Msg, key string) *dns.Msg {
	m.SetTsig(key, dns.HmacSHA256, 300, time.Now().Unix())
	return m
}

// transferred joins the answers of all messages written.
func transferred(t *testing.T, rec *recorder) []dns.RR {
	t.Helper()
	var rrs []dns.RR
	for _, m := range rec.msgs {
		if m.Rcode != dns.RcodeSuccess {
			t.Fatalf("transfer message rcode %s", dns.RcodeToString[m.Rcode])
		}
		rrs = append(rrs, m.Answer...)
	}
	return rrs
}

func TestTransferPolicy(t *testing.T) {
	loop := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	key := Key{Name: "xfr.", Algorithm: "hmac-sha256", Secret: "c2VjcmV0c2VjcmV0c2VjcmV0"}
	tests := []struct {
		name   string
		zone   ZoneConfig
		q      *dns.Msg
		tcp    bool
		client string
		rcode  int
	}{
		{"allowed address", ZoneConfig{AllowTransfer: loop}, xfrQuery(dns.TypeAXFR, 0), true, "127.0.0.9", dns.RcodeSuccess},
		{"other address", ZoneConfig{AllowTransfer: loop}, xfrQuery(dns.TypeAXFR, 0), true, "10.1.2.3", dns.RcodeRefused},
		{"no policy", ZoneConfig{}, xfrQuery(dns.TypeAXFR, 0), true, "127.0.0.1", dns.RcodeRefused},
		{"axfr over udp", ZoneConfig{AllowTransfer: loop}, xfrQuery(dns.TypeAXFR, 0), false, "127.0.0.1", dns.RcodeNotImplemented},
		{"axfr over udp from another address", ZoneConfig{AllowTransfer: loop}, xfrQuery(dns.TypeAXFR, 0), false, "10.1.2.3", dns.RcodeNotImplemented},
		{"not the apex", ZoneConfig{AllowTransfer: loop}, func() *dns.Msg {
			m := xfrQuery(dns.TypeAXFR, 0)
			m.Question[0].Name = "www.example.com."
			return m
		}(), true, "127.0.0.1", dns.RcodeNotAuth},
		{"key required but unsigned", ZoneConfig{TransferKeys: []string{"xfr."}}, xfrQuery(dns.TypeAXFR, 0), true, "10.1.2.3", dns.RcodeRefused},
		{"key required and signed", ZoneConfig{TransferKeys: []string{"xfr"}}, signed(xfrQuery(dns.TypeAXFR, 0), "xfr."), true, "10.1.2.3", dns.RcodeSuccess},
		{"key and address, wrong address", ZoneConfig{AllowTransfer: loop, TransferKeys: []string{"xfr."}}, signed(xfrQuery(dns.TypeAXFR, 0), "xfr."), true, "10.1.2.3", dns.RcodeRefused},
		{"ixfr refused like axfr", ZoneConfig{AllowTransfer: loop}, xfrQuery(dns.TypeIXFR, 1), true, "10.1.2.3", dns.RcodeRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.zone.Name = "example.com."
			s := newTestServer(t, Config{Zones: []ZoneConfig{tt.zone}, Keys: []Key{key}})
			rec := newRecorder(t, tt.tcp, tt.client)
			s.ServeDNS(rec, tt.q)
			if tt.rcode != dns.RcodeSuccess {
				m := rec.only()
				if m.Rcode != tt.rcode || len(m.Answer) != 0 {
					t.Fatalf("rcode %s with %d records, want %s", dns.RcodeToString[m.Rcode], len(m.Answer), dns.RcodeToString[tt.rcode])
				}
				if m.Authoritative {
					t.Errorf("the %s reply has AA set; it answers with no zone data", dns.RcodeToString[m.Rcode])
				}
				want := []TransferCount{{Zone: "example.com.", Type: dns.TypeToString[tt.q.Question[0].Qtype], Result: "refused", Count: 1}}
				if got := s.Stats().TransferCounts; !slices.Equal(got, want) {
					t.Errorf("TransferCounts = %v, want %v", got, want)
				}
				return
			}
			rrs := transferred(t, rec)
			z := s.Current("example.com.")
			if len(rrs) != z.Records()+1 || rrs[0].Header().Rrtype != dns.TypeSOA || rrs[len(rrs)-1].Header().Rrtype != dns.TypeSOA {
				t.Fatalf("axfr sent %d records, want SOA, %d records, SOA", len(rrs), z.Records()-1)
			}
			if rec.msgs[0].IsTsig() == nil && tt.q.IsTsig() != nil {
				t.Errorf("answer to a signed transfer is not signed")
			}
		})
	}
}

func TestAXFRSplitsLargeZones(t *testing.T) {
	var b strings.Builder
	b.WriteString("$ORIGIN example.com.\n@ 60 SOA ns1 hm 1 2 3 4 5\n@ 60 NS ns1\nns1 60 A 10.255.255.1\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "host%d 60 A 10.%d.%d.1\n", i, i/256, i%256)
	}
	s, err := New(Config{Zones: []ZoneConfig{{Name: "example.com.", AllowTransfer: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}}}, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(parseZone(t, "example.com.", b.String())); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder(t, true, "127.0.0.1")
	s.ServeDNS(rec, xfrQuery(dns.TypeAXFR, 0))
	if len(rec.msgs) < 2 {
		t.Fatalf("5002 records sent in %d message(s), want several", len(rec.msgs))
	}
	if got := len(transferred(t, rec)); got != 5004 {
		t.Errorf("sent %d records, want 5004", got)
	}
	if slices.Max(rec.sizes) > dns.MaxMsgSize {
		t.Errorf("a message has %d bytes", slices.Max(rec.sizes))
	}
}

// versions publishes the test zone at serials 1, 2 and 3, where 2 moves
// www and 3 moves mail, each with the journal entry from the one before.
func versions(t *testing.T, s *Server, from int) { versionsLimit(t, s, from, zones.DefaultJournalSize) }

func versionsLimit(t *testing.T, s *Server, from, limit int) {
	t.Helper()
	texts := []string{
		withSerial(testZone, "1"),
		strings.Replace(withSerial(testZone, "2"), "192.0.2.10", "192.0.2.110", 1),
		strings.Replace(strings.Replace(withSerial(testZone, "3"), "192.0.2.10", "192.0.2.110", 1), "192.0.2.3\n", "192.0.2.103\n", 1),
	}
	for i, text := range texts[from-1:] {
		v := parseZone(t, "example.com.", text)
		zones.Chain(s.Current("example.com."), v, limit)
		if err := s.Publish(v); err != nil {
			t.Fatalf("publish version %d: %v", from+i, err)
		}
	}
}

func soaLine(serial int) string {
	return fmt.Sprintf("example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. %d 7200 3600 1209600 300", serial)
}

func TestIXFR(t *testing.T) {
	full := []string{soaLine(1), soaLine(1), "www.example.com. 3600 IN A 192.0.2.10", soaLine(2), "www.example.com. 3600 IN A 192.0.2.110",
		soaLine(2), "mail.example.com. 3600 IN A 192.0.2.3", soaLine(3), "mail.example.com. 3600 IN A 192.0.2.103", soaLine(3)}
	full[0] = soaLine(3)
	tests := []struct {
		name        string
		journalSize int
		serial      uint32
		tcp         bool
		want        []string // nil: an AXFR
	}{
		{name: "two changes", serial: 1, tcp: true, want: full},
		{name: "one change", serial: 2, tcp: true, want: append([]string{soaLine(3)}, full[5:]...)},
		{name: "up to date", serial: 3, tcp: true, want: []string{soaLine(3)}},
		{name: "client ahead", serial: 7, tcp: true, want: []string{soaLine(3)}},
		{name: "udp gets the soa", serial: 1, want: []string{soaLine(3)}},
		{name: "unknown serial falls back to axfr", serial: 0, tcp: true},
		{name: "serial dropped from a bounded journal", journalSize: 1, serial: 1, tcp: true},
		{name: "bounded journal keeps the last change", journalSize: 1, serial: 2, tcp: true, want: append([]string{soaLine(3)}, full[5:]...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(Config{Zones: []ZoneConfig{{Name: "example.com.", AllowTransfer: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}}}, discardLog())
			if err != nil {
				t.Fatal(err)
			}
			versionsLimit(t, s, 1, cmp.Or(tt.journalSize, zones.DefaultJournalSize))
			rec := newRecorder(t, tt.tcp, "127.0.0.1")
			s.ServeDNS(rec, xfrQuery(dns.TypeIXFR, tt.serial))
			rrs := transferred(t, rec)
			if tt.want == nil {
				if n := s.Current("example.com.").Records() + 1; len(rrs) != n {
					t.Fatalf("got %d records, want an AXFR of %d", len(rrs), n)
				}
				return
			}
			compare(t, "ixfr", rrs, rrStrings(t, tt.want))
		})
	}
}

func TestIXFRWithoutSOAIsFormErr(t *testing.T) {
	s := newTestServer(t, Config{})
	rec := newRecorder(t, true, "127.0.0.1")
	s.ServeDNS(rec, query("example.com.", dns.TypeIXFR))
	if m := rec.only(); m.Rcode != dns.RcodeFormatError {
		t.Errorf("rcode %s, want FORMERR", dns.RcodeToString[m.Rcode])
	}
}
