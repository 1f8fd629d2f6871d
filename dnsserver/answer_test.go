package dnsserver

import (
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

const soaNeg = "example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300"

func TestAnswers(t *testing.T) {
	s := newTestServer(t, Config{})
	tests := []struct {
		name   string
		q      *dns.Msg
		rcode  int
		aa     bool
		answer []string
		ns     []string
		extra  []string
	}{
		{name: "authoritative answer", q: query("www.example.com.", dns.TypeA), aa: true,
			answer: []string{"www.example.com. 3600 IN A 192.0.2.10"}},
		{name: "nodata has soa with negative ttl", q: query("www.example.com.", dns.TypeMX), aa: true,
			ns: []string{soaNeg}},
		{name: "nxdomain has soa with negative ttl", q: query("nope.example.com.", dns.TypeA), aa: true,
			rcode: dns.RcodeNameError, ns: []string{soaNeg}},
		{name: "apex", q: query("example.com.", dns.TypeNS), aa: true,
			answer: []string{"example.com. 3600 IN NS ns1.example.com.", "example.com. 3600 IN NS ns2.example.com."},
			extra:  []string{"ns1.example.com. 3600 IN A 192.0.2.1", "ns2.example.com. 3600 IN A 192.0.2.2"}},
		{name: "mx target's address in additional", q: query("example.com.", dns.TypeMX), aa: true,
			answer: []string{"example.com. 3600 IN MX 10 mail.example.com."},
			extra:  []string{"mail.example.com. 3600 IN A 192.0.2.3"}},
		{name: "cname chain followed", q: query("chain.example.com.", dns.TypeA), aa: true,
			answer: []string{
				"chain.example.com. 3600 IN CNAME alias.example.com.",
				"alias.example.com. 3600 IN CNAME www.example.com.",
				"www.example.com. 3600 IN A 192.0.2.10"}},
		{name: "cname query returns the cname only", q: query("alias.example.com.", dns.TypeCNAME), aa: true,
			answer: []string{"alias.example.com. 3600 IN CNAME www.example.com."}},
		{name: "cname out of zone not followed", q: query("out.example.com.", dns.TypeA), aa: true,
			answer: []string{"out.example.com. 3600 IN CNAME www.example.net."}},
		{name: "cname to missing name is nxdomain", q: query("dangling.example.com.", dns.TypeA), aa: true,
			rcode: dns.RcodeNameError, answer: []string{"dangling.example.com. 3600 IN CNAME nothere.example.com."},
			ns: []string{soaNeg}},
		{name: "cname loop stops", q: query("loop1.example.com.", dns.TypeA), aa: true,
			answer: []string{"loop1.example.com. 3600 IN CNAME loop2.example.com.", "loop2.example.com. 3600 IN CNAME loop1.example.com."}},
		{name: "wildcard synthesised", q: query("foo.wild.example.com.", dns.TypeTXT), aa: true,
			answer: []string{`foo.wild.example.com. 3600 IN TXT "wildcard"`}},
		{name: "wildcard covers several labels", q: query("a.b.wild.example.com.", dns.TypeA), aa: true,
			answer: []string{"a.b.wild.example.com. 3600 IN A 192.0.2.20"}},
		{name: "wildcard nodata", q: query("foo.wild.example.com.", dns.TypeMX), aa: true,
			ns: []string{soaNeg}},
		{name: "wildcard owner asked directly", q: query("*.wild.example.com.", dns.TypeA), aa: true,
			answer: []string{"*.wild.example.com. 3600 IN A 192.0.2.20"}},
		{name: "existing name blocks wildcard", q: query("exists.wild.example.com.", dns.TypeTXT), aa: true,
			ns: []string{soaNeg}},
		{name: "empty non-terminal is nodata", q: query("b.ent.example.com.", dns.TypeA), aa: true,
			ns: []string{soaNeg}},
		{name: "empty non-terminal blocks wildcard", q: query("x.b.ent.example.com.", dns.TypeTXT), aa: true,
			rcode: dns.RcodeNameError, ns: []string{soaNeg}},
		{name: "wildcard beside empty non-terminal", q: query("y.ent.example.com.", dns.TypeTXT), aa: true,
			answer: []string{`y.ent.example.com. 3600 IN TXT "ent wildcard"`}},
		{name: "wildcard cname followed", q: query("x.cn.example.com.", dns.TypeA), aa: true,
			answer: []string{"x.cn.example.com. 3600 IN CNAME www.example.com.", "www.example.com. 3600 IN A 192.0.2.10"}},
		{name: "referral below a cut", q: query("www.sub.example.com.", dns.TypeA), aa: false,
			ns:    []string{"sub.example.com. 3600 IN NS ns.sub.example.com.", "sub.example.com. 3600 IN NS ns.other.net."},
			extra: []string{"ns.sub.example.com. 3600 IN A 192.0.2.53"}},
		{name: "occluded name is a referral", q: query("deep.sub.example.com.", dns.TypeA), aa: false,
			ns:    []string{"sub.example.com. 3600 IN NS ns.sub.example.com.", "sub.example.com. 3600 IN NS ns.other.net."},
			extra: []string{"ns.sub.example.com. 3600 IN A 192.0.2.53"}},
		{name: "ns at a cut is a referral", q: query("sub.example.com.", dns.TypeNS), aa: false,
			ns:    []string{"sub.example.com. 3600 IN NS ns.sub.example.com.", "sub.example.com. 3600 IN NS ns.other.net."},
			extra: []string{"ns.sub.example.com. 3600 IN A 192.0.2.53"}},
		{name: "ds at a cut answered by the parent", q: query("sub.example.com.", dns.TypeDS), aa: true,
			answer: []string{"sub.example.com. 3600 IN DS 12345 13 2 3F2A9C1B8D7E6F5A4B3C2D1E0F9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D3E2F1A"}},
		{name: "missing ds at a cut is nodata", q: query("nods.example.com.", dns.TypeDS), aa: true,
			ns: []string{soaNeg}},
		{name: "outside every zone refused", q: query("www.example.org.", dns.TypeA),
			rcode: dns.RcodeRefused},
		{name: "any gets one rrset", q: query("www.example.com.", dns.TypeANY), aa: true,
			answer: []string{"www.example.com. 3600 IN A 192.0.2.10"}},
		{name: "chaos class refused", q: func() *dns.Msg {
			m := query("version.bind.", dns.TypeTXT)
			m.Question[0].Qclass = dns.ClassCHAOS
			return m
		}(), rcode: dns.RcodeRefused},
		{name: "qtype opt is formerr", q: query("www.example.com.", dns.TypeOPT), rcode: dns.RcodeFormatError},
		{name: "no question is formerr", q: func() *dns.Msg {
			m := query("www.example.com.", dns.TypeA)
			m.Question = nil
			return m
		}(), rcode: dns.RcodeFormatError},
		{name: "two questions is formerr", q: func() *dns.Msg {
			m := query("www.example.com.", dns.TypeA)
			m.Question = append(m.Question, m.Question[0])
			return m
		}(), rcode: dns.RcodeFormatError},
		{name: "two opt is formerr", q: func() *dns.Msg {
			m := query("www.example.com.", dns.TypeA)
			m.SetEdns0(1232, false)
			m.SetEdns0(1232, false)
			return m
		}(), rcode: dns.RcodeFormatError},
		{name: "update opcode not implemented", q: func() *dns.Msg {
			m := query("example.com.", dns.TypeSOA)
			m.Opcode = dns.OpcodeUpdate
			return m
		}(), rcode: dns.RcodeNotImplemented},
		{name: "notify to the primary refused", q: func() *dns.Msg {
			m := new(dns.Msg)
			m.SetNotify("example.com.")
			return m
		}(), rcode: dns.RcodeRefused},
		{name: "unknown opcode not implemented", q: func() *dns.Msg {
			m := query("example.com.", dns.TypeSOA)
			m.Opcode = 9
			return m
		}(), rcode: dns.RcodeNotImplemented},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(t, false, "127.0.0.1")
			s.ServeDNS(rec, tt.q)
			m := rec.only()
			if m.Rcode != tt.rcode {
				t.Errorf("rcode = %s, want %s", dns.RcodeToString[m.Rcode], dns.RcodeToString[tt.rcode])
			}
			if m.Authoritative != tt.aa || m.RecursionAvailable || !m.Response || m.Id != tt.q.Id {
				t.Errorf("header aa=%v ra=%v qr=%v id=%d, want aa=%v ra=false qr=true id=%d",
					m.Authoritative, m.RecursionAvailable, m.Response, m.Id, tt.aa, tt.q.Id)
			}
			compare(t, "answer", m.Answer, rrStrings(t, tt.answer))
			compare(t, "authority", m.Ns, rrStrings(t, tt.ns))
			compare(t, "additional", m.Extra, rrStrings(t, tt.extra))
		})
	}
}

func compare(t *testing.T, section string, got []dns.RR, want []string) {
	t.Helper()
	if g := sectionStrings(got); !slices.Equal(g, want) {
		t.Errorf("%s:\n got  %s\n want %s", section, strings.Join(g, "\n      "), strings.Join(want, "\n      "))
	}
}

func TestQueryCasePreserved(t *testing.T) {
	s := newTestServer(t, Config{})
	tests := []struct{ qname, owner string }{
		{"WwW.ExAmPlE.CoM.", "WwW.ExAmPlE.CoM."},           // as asked: a resolver checking 0x20 case wants it back
		{"FoO.WiLd.example.com.", "FoO.WiLd.example.com."}, // synthesised from the wildcard: as asked
	}
	for _, tt := range tests {
		rec := newRecorder(t, false, "127.0.0.1")
		s.ServeDNS(rec, query(tt.qname, dns.TypeA))
		m := rec.only()
		if m.Question[0].Name != tt.qname {
			t.Errorf("question %q came back as %q", tt.qname, m.Question[0].Name)
		}
		if len(m.Answer) != 1 || m.Answer[0].Header().Name != tt.owner {
			t.Errorf("%s: answer %v, want one record owned by %s", tt.qname, m.Answer, tt.owner)
		}
	}
}

func TestResponseDropped(t *testing.T) {
	s := newTestServer(t, Config{})
	q := query("www.example.com.", dns.TypeA)
	q.Response = true
	rec := newRecorder(t, false, "127.0.0.1")
	s.ServeDNS(rec, q)
	if len(rec.msgs) != 0 {
		t.Fatalf("answered a message with QR set: %v", rec.msgs[0])
	}
	if got := s.Stats().Dropped; got != 1 {
		t.Errorf("Dropped = %d, want 1", got)
	}
}

func TestRecursionDesiredCopied(t *testing.T) {
	s := newTestServer(t, Config{})
	q := query("www.example.com.", dns.TypeA)
	q.RecursionDesired = true
	rec := newRecorder(t, false, "127.0.0.1")
	s.ServeDNS(rec, q)
	if m := rec.only(); !m.RecursionDesired || m.RecursionAvailable {
		t.Errorf("rd=%v ra=%v, want rd copied and ra clear", m.RecursionDesired, m.RecursionAvailable)
	}
}

func TestPanicAnswersServfail(t *testing.T) {
	s := newTestServer(t, Config{})
	breakIndex(s)
	rec := newRecorder(t, false, "127.0.0.1")
	s.ServeDNS(rec, query("alias.example.com.", dns.TypeMX))
	if m := rec.only(); m.Rcode != dns.RcodeServerFailure {
		t.Errorf("rcode = %s, want SERVFAIL", dns.RcodeToString[m.Rcode])
	}
	if got := s.Stats().Panics; got != 1 {
		t.Errorf("Panics = %d, want 1", got)
	}
}
