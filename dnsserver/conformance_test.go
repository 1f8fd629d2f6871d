package dnsserver

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones/dnssec"
)

// The answers in this file were compared with NSD 4.6.1 and Knot 3.2.6
// serving the same zones, where the two agree with the RFCs.

const childZone = `$ORIGIN sub.example.com.
$TTL 300
@   SOA ns.sub.example.com. hostmaster 2024010101 7200 3600 1209600 300
@   NS  ns
ns  A   192.0.2.53
`

const noDSChildZone = `$ORIGIN nods.example.com.
$TTL 300
@   SOA ns.other.net. hostmaster 2024010101 7200 3600 1209600 300
@   NS  ns.other.net.
`

// TestDSOfAServedChildComesFromTheParent: with a parent and its child
// served together, the DS of the child's apex is the parent's record (RFC
// 4035 section 3.1.4.1), and its absence the parent's NODATA; every other
// type at the child's apex is the child's.
func TestDSOfAServedChildComesFromTheParent(t *testing.T) {
	s := newTestServer(t, Config{Zones: []ZoneConfig{{Name: "example.com."}, {Name: "sub.example.com."}, {Name: "nods.example.com."}}})
	for origin, text := range map[string]string{"sub.example.com.": childZone, "nods.example.com.": noDSChildZone} {
		if err := s.Publish(parseZone(t, origin, text)); err != nil {
			t.Fatal(err)
		}
	}
	ask := func(name string, qtype uint16) *dns.Msg {
		rec := newRecorder(t, false, "192.0.2.99")
		s.ServeDNS(rec, query(name, qtype))
		return rec.only()
	}

	m := ask("sub.example.com.", dns.TypeDS)
	if m.Rcode != dns.RcodeSuccess || !m.Authoritative || len(m.Answer) != 1 || m.Answer[0].Header().Rrtype != dns.TypeDS {
		t.Errorf("DS of the served child: %s aa=%v answer %v, want the parent's DS", dns.RcodeToString[m.Rcode], m.Authoritative, m.Answer)
	}
	m = ask("nods.example.com.", dns.TypeDS)
	if m.Rcode != dns.RcodeSuccess || len(m.Answer) != 0 || len(m.Ns) != 1 || m.Ns[0].Header().Name != "example.com." {
		t.Errorf("DS of a served child the parent has none for: %s answer %v authority %v, want NODATA with the parent's SOA", dns.RcodeToString[m.Rcode], m.Answer, m.Ns)
	}
	m = ask("sub.example.com.", dns.TypeSOA)
	if len(m.Answer) != 1 || m.Answer[0].(*dns.SOA).Ns != "ns.sub.example.com." {
		t.Errorf("SOA at the child's apex: %v, want the child's", m.Answer)
	}
	m = ask("ns.sub.example.com.", dns.TypeDS)
	if m.Rcode != dns.RcodeSuccess || len(m.Ns) != 1 || m.Ns[0].Header().Name != "sub.example.com." {
		t.Errorf("DS of a name inside the child: authority %v, want the child's NODATA", m.Ns)
	}

	// Without the parent, the child's apex answers its own NODATA.
	only := newTestServer(t, Config{Zones: []ZoneConfig{{Name: "example.com."}, {Name: "nods.example.com."}}})
	if err := only.Publish(parseZone(t, "nods.example.com.", noDSChildZone)); err != nil {
		t.Fatal(err)
	}
	snap := only.snap.Load()
	if ix := snap.zoneFor("nods.example.com.", dns.TypeDS); ix == nil || ix.origin != "example.com." {
		t.Errorf("zoneFor(DS) with the parent served = %v, want example.com.", ix)
	}
	alone := snap.with(snap.zones["nods.example.com."])
	delete(alone.zones, "example.com.")
	if ix := alone.zoneFor("nods.example.com.", dns.TypeDS); ix == nil || ix.origin != "nods.example.com." {
		t.Errorf("zoneFor(DS) with only the child served = %v, want nods.example.com.", ix)
	}
}

// TestTSIGErrorCarriesOPT: an EDNS query whose TSIG fails gets the OPT
// too (RFC 6891 section 7), before the TSIG, which comes last.
func TestTSIGErrorCarriesOPT(t *testing.T) {
	s := newTestServer(t, Config{})
	q := query("www.example.com.", dns.TypeA)
	q.SetEdns0(1232, false)
	q.SetTsig("k.", dns.HmacSHA256, 300, time.Now().Unix())
	rec := newRecorder(t, true, "127.0.0.1")
	rec.tsigStatus = errBadKey
	s.ServeDNS(rec, q)
	m := rec.only()
	if m.Rcode != dns.RcodeNotAuth || len(m.Extra) != 2 || m.Extra[0].Header().Rrtype != dns.TypeOPT || m.Extra[1].Header().Rrtype != dns.TypeTSIG {
		t.Fatalf("rcode %s, additional %v; want NOTAUTH with OPT then TSIG", dns.RcodeToString[m.Rcode], m.Extra)
	}
}

// TestTransferCarriesOPT: the first message of a transfer asked with
// EDNS carries the OPT (RFC 5936 section 2.2.5), signed after it when
// the query was signed; the later messages do not repeat it.
func TestTransferCarriesOPT(t *testing.T) {
	big := testZone
	for i := range 2000 {
		big += "h" + strconv.Itoa(i) + " TXT \"a record to make the transfer take several messages\"\n"
	}
	s := newTestServer(t, Config{})
	if err := s.Publish(parseZone(t, "example.com.", withSerial(big, "2024010102"))); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		qtype uint16
	}{{"axfr", dns.TypeAXFR}, {"ixfr falling back to axfr", dns.TypeIXFR}} {
		t.Run(tt.name, func(t *testing.T) {
			q := xfrQuery(tt.qtype, 7)
			q.SetEdns0(1232, false)
			rec := newRecorder(t, true, "127.0.0.1")
			s.ServeDNS(rec, q)
			if len(rec.msgs) < 2 {
				t.Fatalf("%d messages, want several", len(rec.msgs))
			}
			if rec.msgs[0].IsEdns0() == nil {
				t.Errorf("the first message has no OPT: additional %v", rec.msgs[0].Extra)
			}
			for i, m := range rec.msgs[1:] {
				if m.IsEdns0() != nil {
					t.Errorf("message %d repeats the OPT", i+2)
				}
			}
		})
	}
	plain := newRecorder(t, true, "127.0.0.1")
	s.ServeDNS(plain, xfrQuery(dns.TypeAXFR, 0))
	if plain.msgs[0].IsEdns0() != nil {
		t.Errorf("a transfer asked without EDNS has an OPT")
	}
}

// TestQueryForAServerCookieAlone: a query without a question that holds
// a client cookie asks for a server cookie (RFC 7873 section 5.4): NOERROR
// with the cookie while cookies are on, FORMERR otherwise and without a
// cookie.
func TestQueryForAServerCookieAlone(t *testing.T) {
	cookieOnly := func(c string) *dns.Msg {
		m := withCookie(c)
		m.Question = nil
		return m
	}
	on := newTestServer(t, Config{Limits: Limits{Cookies: true}})
	tests := []struct {
		name  string
		s     *Server
		q     *dns.Msg
		rcode int
		has   bool
	}{
		{"client cookie", on, cookieOnly("0102030405060708"), dns.RcodeSuccess, true},
		{"no cookie", on, func() *dns.Msg { m := new(dns.Msg); m.SetEdns0(1232, false); return m }(), dns.RcodeFormatError, false},
		{"cookies off", newTestServer(t, Config{}), cookieOnly("0102030405060708"), dns.RcodeFormatError, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(t, false, "192.0.2.7")
			tt.s.ServeDNS(rec, tt.q)
			m := rec.only()
			_, has := queryCookie(m.IsEdns0())
			if m.Rcode != tt.rcode || has != tt.has || len(m.Answer) != 0 {
				t.Errorf("rcode %s, cookie %v; want %s, cookie %v", dns.RcodeToString[m.Rcode], has, dns.RcodeToString[tt.rcode], tt.has)
			}
		})
	}
}

// TestForwardPointerIsFormErr: a compression pointer must point back to
// a prior occurrence (RFC 1035 section 4.1.4); a question whose name
// points forward is FORMERR, as from NSD.
func TestForwardPointerIsFormErr(t *testing.T) {
	q := []byte{0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, // header, one question
		0xC0, 18, 0, 1, 0, 1, // name: a pointer to offset 18, type A, class IN
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0}
	if layoutOK(q) {
		t.Fatal("layoutOK accepts a forward pointer")
	}
	back := append([]byte{}, q[:12]...)
	back = append(back, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1)
	binary.BigEndian.PutUint16(back[4:], 2)
	back = append(back, 3, 'w', 'w', 'w', 0xC0, 12, 0, 1, 0, 1) // www + a pointer back
	if !layoutOK(back) {
		t.Error("layoutOK refuses a pointer back to a prior name")
	}

	s := newTestServer(t, Config{})
	rec := newRecorder(t, false, "192.0.2.7")
	if _, ok := s.screen(q, func() dns.ResponseWriter { return rec }); ok {
		t.Fatal("screen hands the forward pointer on to the parser")
	}
	if m := rec.only(); m.Rcode != dns.RcodeFormatError || len(m.Answer) != 0 {
		t.Errorf("rcode %s with %d answers, want FORMERR", dns.RcodeToString[m.Rcode], len(m.Answer))
	}
}

// dnameZone is the test zone with DNAMEs (RFC 6672): one leading out of
// the zone, one back into it, and one whose substitution is too long.
var dnameZone = testZone + `dn       DNAME target.example.net.
here     DNAME example.com.
long     DNAME ` + strings.Repeat("a", 60) + `.` + strings.Repeat("b", 60) + `.` + strings.Repeat("c", 60) + `.example.net.
`

// TestDNAME: a name below a DNAME is answered with the DNAME and the
// CNAME it makes (the CNAME's TTL the DNAME's), followed inside the zone;
// the DNAME's owner itself is an ordinary name; a substitution too long
// to be a name is YXDOMAIN. None of it takes the fast path.
func TestDNAME(t *testing.T) {
	s := newTestServer(t, Config{})
	if err := s.Publish(parseZone(t, "example.com.", withSerial(dnameZone, "2024010102"))); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 60) + "." + strings.Repeat("y", 5) + ".long.example.com."
	tests := []struct {
		name   string
		qtype  uint16
		rcode  int
		answer []string
	}{
		{"foo.dn.example.com.", dns.TypeA, dns.RcodeSuccess, []string{
			"dn.example.com.\t3600\tIN\tDNAME\ttarget.example.net.",
			"foo.dn.example.com.\t3600\tIN\tCNAME\tfoo.target.example.net.",
		}},
		{"a.B.Dn.Example.COM.", dns.TypeMX, dns.RcodeSuccess, []string{
			"Dn.Example.COM.\t3600\tIN\tDNAME\ttarget.example.net.",
			"a.B.Dn.Example.COM.\t3600\tIN\tCNAME\ta.B.target.example.net.",
		}},
		{"www.here.example.com.", dns.TypeA, dns.RcodeSuccess, []string{
			"here.example.com.\t3600\tIN\tDNAME\texample.com.",
			"www.here.example.com.\t3600\tIN\tCNAME\twww.example.com.",
			"www.example.com.\t3600\tIN\tA\t192.0.2.10",
		}},
		{"nope.here.example.com.", dns.TypeA, dns.RcodeNameError, []string{
			"here.example.com.\t3600\tIN\tDNAME\texample.com.",
			"nope.here.example.com.\t3600\tIN\tCNAME\tnope.example.com.",
		}},
		{"dn.example.com.", dns.TypeDNAME, dns.RcodeSuccess, []string{"dn.example.com.\t3600\tIN\tDNAME\ttarget.example.net."}},
		{"dn.example.com.", dns.TypeA, dns.RcodeSuccess, nil}, // NODATA
		{long, dns.TypeA, dns.RcodeYXDomain, []string{
			"long.example.com.\t3600\tIN\tDNAME\t" + strings.Repeat("a", 60) + "." + strings.Repeat("b", 60) + "." + strings.Repeat("c", 60) + ".example.net.",
		}},
	}
	buf := make([]byte, fastReplyMax)
	for _, tt := range tests {
		q := query(tt.name, tt.qtype)
		rec := newRecorder(t, false, "192.0.2.7")
		s.ServeDNS(rec, q)
		m := rec.only()
		if got := sectionStrings(m.Answer); m.Rcode != tt.rcode || !m.Authoritative || !slices.Equal(got, tt.answer) {
			t.Errorf("%s %s: %s aa=%v answer\n%s\nwant %s answer\n%s", tt.name, dns.Type(tt.qtype), dns.RcodeToString[m.Rcode], m.Authoritative,
				strings.Join(got, "\n"), dns.RcodeToString[tt.rcode], strings.Join(tt.answer, "\n"))
		}
		wire, _ := q.Pack()
		if n := s.fastAnswer(wire, netip.MustParseAddr("192.0.2.7"), buf); n != 0 && tt.name != "dn.example.com." {
			t.Errorf("%s %s took the fast path", tt.name, dns.Type(tt.qtype))
		}
	}
}

// TestDNAMESigned: in a signed zone the DNAME comes with its RRSIG, and
// the CNAME made from it without one (RFC 6672 section 5.3.1).
func TestDNAMESigned(t *testing.T) {
	s, key := signedServerOf(t, dnssec.Policy{}, dnameZone)
	rec := newRecorder(t, false, "192.0.2.7")
	s.ServeDNS(rec, doQuery("foo.dn.example.com.", dns.TypeA))
	m := rec.only()
	var dname []dns.RR
	var sigs []*dns.RRSIG
	for _, rr := range m.Answer {
		switch r := rr.(type) {
		case *dns.DNAME:
			dname = append(dname, r)
		case *dns.RRSIG:
			sigs = append(sigs, r)
		}
	}
	if len(dname) != 1 || len(sigs) != 1 || sigs[0].TypeCovered != dns.TypeDNAME || sigs[0].Verify(key, dname) != nil {
		t.Fatalf("want the DNAME and one RRSIG over it, that verifies; got\n%v", m)
	}
}

// TestRepliesAreCompressed: a reply off the fast path has its names
// compressed over TCP too, as NSD's and Knot's are, not only when it
// would not fit otherwise.
func TestRepliesAreCompressed(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, tcp := range []bool{false, true} {
		rec := newRecorder(t, tcp, "192.0.2.7")
		s.ServeDNS(rec, query("example.com.", dns.TypeMX))
		m := rec.only()
		plain := m.Copy()
		plain.Compress = false
		full, err := plain.Pack()
		if err != nil {
			t.Fatal(err)
		}
		if got := rec.sizes[0]; got >= len(full) {
			t.Errorf("tcp=%v: the MX answer with its additional addresses is %d bytes, %d uncompressed: not compressed", tcp, got, len(full))
		}
	}
}

// TestNegativeAnswersCompressTheSOA: on the fast path the negative SOA's
// MNAME and RNAME point at the apex in the question when they are below
// it (a third smaller, as from NSD and Knot), and are written whole when
// they are not; either way they read back as the zone has them.
func TestNegativeAnswersCompressTheSOA(t *testing.T) {
	s := newTestServer(t, Config{Zones: []ZoneConfig{{Name: "example.com."}, {Name: "nods.example.com."}}})
	if err := s.Publish(parseZone(t, "nods.example.com.", noDSChildZone)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, fastReplyMax)
	for _, tt := range []struct {
		qname      string
		ns, mbox   string
		compressed bool
	}{
		{"nope.example.com.", "ns1.example.com.", "hostmaster.example.com.", true},
		{"NoPe.ExAmPlE.cOm.", "ns1.example.com.", "hostmaster.example.com.", true},
		{"example.com.", "ns1.example.com.", "hostmaster.example.com.", true},
		{"nope.nods.example.com.", "ns.other.net.", "hostmaster.nods.example.com.", true},
	} {
		q := query(tt.qname, dns.TypeA)
		wire, _ := q.Pack()
		if tt.qname == "example.com." {
			q = query(tt.qname, dns.TypeTXT) // NODATA
			wire, _ = q.Pack()
		}
		n := s.fastAnswer(wire, netip.MustParseAddr("192.0.2.7"), buf)
		if n <= 0 {
			t.Fatalf("%s: not answered on the fast path", tt.qname)
		}
		m := new(dns.Msg)
		if err := m.Unpack(buf[:n]); err != nil {
			t.Fatalf("%s: the reply does not parse: %v", tt.qname, err)
		}
		soa, ok := m.Ns[0].(*dns.SOA)
		if !ok || !strings.EqualFold(soa.Ns, tt.ns) || !strings.EqualFold(soa.Mbox, tt.mbox) {
			t.Fatalf("%s: authority %v, want an SOA naming %s and %s", tt.qname, m.Ns, tt.ns, tt.mbox)
		}
		plain := m.Copy()
		plain.Compress = false
		whole, _ := plain.Pack()
		if n >= len(whole) {
			t.Errorf("%s: %d bytes, %d uncompressed: the SOA is not compressed", tt.qname, n, len(whole))
		}
	}
	if _, ptrs := compressSOA([]byte{0, 6, 0, 1, 0, 0, 0, 0, 0, 29, // type, class, TTL, rdata length
		2, 'n', 's', 3, 'n', 'e', 't', 0, // ns.net. outside example.com.
		9, 'x', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, // "x\007example.com.": the apex's bytes, not its labels
		0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5}, []byte("\x07example\x03com\x00")); ptrs != [2]int{} {
		t.Errorf("compressSOA pointers %v: want both names whole, neither is below the apex", ptrs)
	}
}
