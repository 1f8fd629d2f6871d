package dnsserver

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// fastCases are queries for every name of the test zone, with the types
// and spellings a fast path must get right or leave alone.
func fastCases() []*dns.Msg {
	names := []string{
		"example.com.", "www.example.com.", "WwW.ExAmPlE.CoM.", "mail.example.com.", "ns1.example.com.",
		"nope.example.com.", "NoPe.Example.COM.", "alias.example.com.", "chain.example.com.", "out.example.com.",
		"dangling.example.com.", "loop1.example.com.", "foo.wild.example.com.", "*.wild.example.com.",
		"exists.wild.example.com.", "b.ent.example.com.", "ent.example.com.", "x.b.ent.example.com.", "y.ent.example.com.",
		"x.cn.example.com.", "sub.example.com.", "www.sub.example.com.", "deep.sub.example.com.", "nods.example.com.",
		"a.b.c.d.example.com.", "www.example.org.",
	}
	types := []uint16{dns.TypeA, dns.TypeAAAA, dns.TypeTXT, dns.TypeSOA, dns.TypeMX, dns.TypeNS, dns.TypeCNAME,
		dns.TypeDS, dns.TypeANY, dns.TypeCAA, dns.TypeHTTPS, 65280}
	var out []*dns.Msg
	for _, n := range names {
		for _, t := range types {
			for _, edns := range []uint16{0, 512, 1232, 4096} {
				for _, rd := range []bool{false, true} {
					m := new(dns.Msg)
					m.SetQuestion(n, t)
					m.Id = uint16(len(out))
					m.RecursionDesired = rd
					m.CheckingDisabled = !rd
					if edns > 0 {
						m.SetEdns0(edns, false)
					}
					out = append(out, m)
				}
			}
		}
	}
	return out
}

// TestFastPathMatchesServeDNS holds the fast path to the full one: for
// every query it takes, the reply says exactly what ServeDNS says (the
// bytes differ only in name compression), and it is counted the same.
func TestFastPathMatchesServeDNS(t *testing.T) {
	fast, full := newTestServer(t, Config{}), newTestServer(t, Config{})
	addr := netip.MustParseAddr("127.0.0.1")
	taken := 0
	buf := make([]byte, fastReplyMax)
	for _, q := range fastCases() {
		wire, err := q.Pack()
		if err != nil {
			t.Fatal(err)
		}
		n := fast.fastAnswer(wire, addr, buf)
		rec := newRecorder(t, false, "127.0.0.1")
		full.ServeDNS(rec, q)
		want := rec.only()
		if n <= 0 {
			continue
		}
		taken++
		got := new(dns.Msg)
		if err := got.Unpack(buf[:n]); err != nil {
			t.Fatalf("%s %s: fast reply does not parse: %v", q.Question[0].Name, dns.Type(q.Question[0].Qtype), err)
		}
		if g, w := describeMsg(got), describeMsg(want); g != w {
			t.Errorf("%s %s edns=%v rd=%v:\nfast %s\nfull %s", q.Question[0].Name, dns.Type(q.Question[0].Qtype), q.IsEdns0() != nil, q.RecursionDesired, g, w)
		}
	}
	if taken < 200 {
		t.Errorf("the fast path took only %d queries", taken)
	}
	// Every query it took is counted as ServeDNS counts its own; the full
	// server also saw those it left, so compare only the taken ones' zone.
	st := fast.Stats()
	if st.Queries != uint64(taken) {
		t.Errorf("the fast path counted %d answers, took %d", st.Queries, taken)
	}
}

// describeMsg is a message in one line, every field that matters. The
// names inside an SOA's data are compared without case: compressed
// against the question, they take its spelling, as from NSD and Knot.
func describeMsg(m *dns.Msg) string {
	var b strings.Builder
	fmt.Fprintf(&b, "id=%d qr=%v op=%d aa=%v tc=%v rd=%v ra=%v ad=%v cd=%v rcode=%s q=%v",
		m.Id, m.Response, m.Opcode, m.Authoritative, m.Truncated, m.RecursionDesired, m.RecursionAvailable,
		m.AuthenticatedData, m.CheckingDisabled, dns.RcodeToString[m.Rcode], m.Question)
	for _, sec := range [][]dns.RR{m.Answer, m.Ns, m.Extra} {
		var rrs []string
		for _, rr := range sec {
			if soa, ok := rr.(*dns.SOA); ok {
				c := *soa
				c.Ns, c.Mbox = strings.ToLower(c.Ns), strings.ToLower(c.Mbox)
				rr = &c
			}
			rrs = append(rrs, rr.String())
		}
		fmt.Fprintf(&b, " | %s", strings.Join(rrs, " ; "))
	}
	return b.String()
}

// TestFastPathLeavesTheUnusual checks that the fast path declines what it
// must leave to ServeDNS.
func TestFastPathLeavesTheUnusual(t *testing.T) {
	s := newTestServer(t, Config{})
	addr := netip.MustParseAddr("127.0.0.1")
	buf := make([]byte, fastReplyMax)
	mk := func(name string, t uint16, f func(*dns.Msg)) []byte {
		m := new(dns.Msg)
		m.SetQuestion(name, t)
		if f != nil {
			f(m)
		}
		b, _ := m.Pack()
		return b
	}
	cookie := func(m *dns.Msg) {
		m.SetEdns0(1232, false)
		m.IsEdns0().Option = append(m.IsEdns0().Option, &dns.EDNS0_COOKIE{Code: dns.EDNS0COOKIE, Cookie: "0102030405060708"})
	}
	tests := []struct {
		name string
		wire []byte
	}{
		{"cname", mk("alias.example.com.", dns.TypeA, nil)},
		{"wildcard", mk("foo.wild.example.com.", dns.TypeTXT, nil)},
		{"below a cut", mk("www.sub.example.com.", dns.TypeA, nil)},
		{"mx (additional addresses)", mk("example.com.", dns.TypeMX, nil)},
		{"any", mk("www.example.com.", dns.TypeANY, nil)},
		{"outside every zone", mk("www.example.org.", dns.TypeA, nil)},
		{"DO bit", mk("www.example.com.", dns.TypeA, func(m *dns.Msg) { m.SetEdns0(1232, true) })},
		{"an EDNS option (cookie)", mk("www.example.com.", dns.TypeA, cookie)},
		{"EDNS version 1", mk("www.example.com.", dns.TypeA, func(m *dns.Msg) { m.SetEdns0(1232, false); m.IsEdns0().SetVersion(1) })},
		{"class CHAOS", mk("id.server.", dns.TypeTXT, func(m *dns.Msg) { m.Question[0].Qclass = dns.ClassCHAOS })},
		{"notify", mk("example.com.", dns.TypeSOA, func(m *dns.Msg) { m.Opcode = dns.OpcodeNotify })},
		{"a response", mk("www.example.com.", dns.TypeA, func(m *dns.Msg) { m.Response = true })},
		{"two questions", mk("www.example.com.", dns.TypeA, func(m *dns.Msg) { m.Question = append(m.Question, m.Question[0]) })},
		{"tsig", mk("www.example.com.", dns.TypeA, func(m *dns.Msg) { m.SetTsig("k.", dns.HmacSHA256, 300, 0) })},
		{"trailing bytes", append(mk("www.example.com.", dns.TypeA, nil), 0)},
		{"cut short", mk("www.example.com.", dns.TypeA, nil)[:20]},
	}
	for _, tt := range tests {
		if n := s.fastAnswer(tt.wire, addr, buf); n != 0 {
			t.Errorf("%s: the fast path answered (%d bytes)", tt.name, n)
		}
	}
	if st := s.Stats(); st.Queries != 0 {
		t.Errorf("declined queries were counted: %d", st.Queries)
	}
}

// TestFastPathFitsTheUDPSize: a reply larger than the client's buffer is
// left to the full path, which truncates it properly.
func TestFastPathFitsTheUDPSize(t *testing.T) {
	text := testZone
	for i := range 40 {
		text += fmt.Sprintf("big TXT \"%s\"\n", strings.Repeat(string(rune('a'+i%26)), 40))
	}
	s := newTestServer(t, Config{})
	if err := publishNext(t, s, withSerial(text, "2024010102")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, fastReplyMax)
	for _, size := range []uint16{0, 1232, 4096} {
		m := new(dns.Msg)
		m.SetQuestion("big.example.com.", dns.TypeTXT)
		if size > 0 {
			m.SetEdns0(size, false)
		}
		wire, _ := m.Pack()
		n := s.fastAnswer(wire, netip.MustParseAddr("127.0.0.1"), buf)
		limit := max(512, int(min(size, 1232)))
		if n > limit || (size == 4096 && n != 0 && n > 1232) {
			t.Errorf("udp size %d: a %d-byte fast reply", size, n)
		}
		if n > 0 {
			r := new(dns.Msg)
			if err := r.Unpack(buf[:n]); err != nil || r.Truncated || len(r.Answer) != 40 {
				t.Errorf("udp size %d: %v, %d records, tc=%v", size, err, len(r.Answer), r.Truncated)
			}
		}
	}
}

// TestFastPathAllocatesNothing guards the hot path: an answer, NODATA and
// NXDOMAIN on the fast path allocate nothing, counting included.
func TestFastPathAllocatesNothing(t *testing.T) {
	s := newTestServer(t, Config{})
	addr := netip.MustParseAddr("127.0.0.1")
	buf := make([]byte, fastReplyMax)
	for _, q := range []struct {
		name  string
		qtype uint16
	}{{"www.example.com.", dns.TypeA}, {"www.example.com.", dns.TypeTXT}, {"nope.example.com.", dns.TypeA}, {"example.com.", dns.TypeSOA}} {
		m := new(dns.Msg)
		m.SetQuestion(q.name, q.qtype)
		m.SetEdns0(1232, false)
		wire, _ := m.Pack()
		if n := s.fastAnswer(wire, addr, buf); n <= 0 {
			t.Fatalf("%s %s: not on the fast path", q.name, dns.Type(q.qtype))
		}
		if got := testing.AllocsPerRun(1000, func() { s.fastAnswer(wire, addr, buf) }); got != 0 {
			t.Errorf("%s %s: %v allocations per query, want 0", q.name, dns.Type(q.qtype), got)
		}
	}
}
