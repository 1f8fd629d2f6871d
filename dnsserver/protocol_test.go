package dnsserver

import (
	"encoding/hex"
	"testing"

	"github.com/miekg/dns"
)

// withOPT adds rr, an OPT record, to the section of m that add names.
func withOPT(owner string, add func(m *dns.Msg, rr dns.RR)) *dns.Msg {
	m := query("www.example.com.", dns.TypeA)
	o := &dns.OPT{Hdr: dns.RR_Header{Name: owner, Rrtype: dns.TypeOPT}}
	o.SetUDPSize(1232)
	add(m, o)
	return m
}

func withCookie(hexCookie string) *dns.Msg {
	m := query("www.example.com.", dns.TypeA)
	m.SetEdns0(1232, false)
	m.IsEdns0().Option = append(m.IsEdns0().Option, &dns.EDNS0_COOKIE{Code: dns.EDNS0COOKIE, Cookie: hexCookie})
	return m
}

func chaosQuery(name string, qtype uint16) *dns.Msg {
	m := query(name, qtype)
	m.Question[0].Qclass = dns.ClassCHAOS
	return m
}

var cookiesOn = Limits{Cookies: true}

// TestProtocolDetails: the answers NSD and Knot give that zonerw must
// give too (see docs/dns.md), through ServeDNS.
func TestProtocolDetails(t *testing.T) {
	tests := []struct {
		name   string
		limits Limits
		q      *dns.Msg
		rcode  int
		opt    bool     // the reply carries OPT
		answer []string // the answer section
	}{
		{name: "notify to the primary refused", q: func() *dns.Msg {
			m := new(dns.Msg)
			m.SetNotify("example.com.")
			return m
		}(), rcode: dns.RcodeRefused},
		{name: "opt in the answer section", q: withOPT(".", func(m *dns.Msg, rr dns.RR) { m.Answer = append(m.Answer, rr) }), rcode: dns.RcodeFormatError},
		{name: "opt in the authority section", q: withOPT(".", func(m *dns.Msg, rr dns.RR) { m.Ns = append(m.Ns, rr) }), rcode: dns.RcodeFormatError},
		{name: "opt owned by another name", q: withOPT("example.com.", func(m *dns.Msg, rr dns.RR) { m.Extra = append(m.Extra, rr) }), rcode: dns.RcodeFormatError},
		{name: "two opt", q: withOPT(".", func(m *dns.Msg, rr dns.RR) { m.Extra = append(m.Extra, rr, dns.Copy(rr)) }), rcode: dns.RcodeFormatError},
		{name: "opt in place", q: withOPT(".", func(m *dns.Msg, rr dns.RR) { m.Extra = append(m.Extra, rr) }), opt: true,
			answer: []string{"www.example.com. 3600 IN A 192.0.2.10"}},
		{name: "cookie of 7 bytes", limits: cookiesOn, q: withCookie("01020304050607"), rcode: dns.RcodeFormatError, opt: true},
		{name: "cookie of 12 bytes", limits: cookiesOn, q: withCookie("010203040506070801020304"), rcode: dns.RcodeFormatError, opt: true},
		{name: "cookie of 41 bytes", limits: cookiesOn, q: withCookie(hex.EncodeToString(make([]byte, 41))), rcode: dns.RcodeFormatError, opt: true},
		{name: "client cookie alone", limits: cookiesOn, q: withCookie("0102030405060708"), opt: true,
			answer: []string{"www.example.com. 3600 IN A 192.0.2.10"}},
		{name: "cookie ignored with cookies off", q: withCookie("01"), opt: true,
			answer: []string{"www.example.com. 3600 IN A 192.0.2.10"}},
		{name: "chaos id.server off by default", q: chaosQuery("id.server.", dns.TypeTXT), rcode: dns.RcodeRefused},
		{name: "chaos version.bind off by default", q: chaosQuery("version.bind.", dns.TypeTXT), rcode: dns.RcodeRefused},
		{name: "chaos id.server", limits: Limits{Identity: "ns1.example.net"}, q: chaosQuery("id.server.", dns.TypeTXT),
			answer: []string{`id.server. 0 CH TXT "ns1.example.net"`}},
		{name: "chaos hostname.bind, any case", limits: Limits{Identity: "ns1"}, q: chaosQuery("HostName.Bind.", dns.TypeTXT),
			answer: []string{`HostName.Bind. 0 CH TXT "ns1"`}},
		{name: "chaos version.bind only if set", limits: Limits{Identity: "ns1"}, q: chaosQuery("version.bind.", dns.TypeTXT), rcode: dns.RcodeRefused},
		{name: "chaos version.server", limits: Limits{Version: "zonerw"}, q: chaosQuery("version.server.", dns.TypeTXT),
			answer: []string{`version.server. 0 CH TXT "zonerw"`}},
		{name: "chaos other type refused", limits: Limits{Identity: "ns1"}, q: chaosQuery("id.server.", dns.TypeA), rcode: dns.RcodeRefused},
		{name: "class ANY gets the IN answer", q: func() *dns.Msg {
			m := query("www.example.com.", dns.TypeA)
			m.Question[0].Qclass = dns.ClassANY
			return m
		}(), answer: []string{"www.example.com. 3600 IN A 192.0.2.10"}},
		{name: "class NONE refused", q: func() *dns.Msg {
			m := query("www.example.com.", dns.TypeA)
			m.Question[0].Qclass = dns.ClassNONE
			return m
		}(), rcode: dns.RcodeRefused},
		{name: "chaos other name refused", limits: Limits{Identity: "ns1", Version: "v"}, q: chaosQuery("authors.bind.", dns.TypeTXT), rcode: dns.RcodeRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, Config{Limits: tt.limits})
			tt.q.RecursionDesired = true
			rec := newRecorder(t, false, "192.0.2.99")
			s.ServeDNS(rec, tt.q)
			m := rec.only()
			if m.Rcode != tt.rcode {
				t.Errorf("rcode %s, want %s", dns.RcodeToString[m.Rcode], dns.RcodeToString[tt.rcode])
			}
			if !m.RecursionDesired || m.Opcode != tt.q.Opcode || len(m.Question) != 1 {
				t.Errorf("rd=%v opcode=%d questions=%d; want rd copied, the opcode and the question", m.RecursionDesired, m.Opcode, len(m.Question))
			}
			if got := m.IsEdns0() != nil; got != tt.opt {
				t.Errorf("reply has OPT: %v, want %v", got, tt.opt)
			}
			if _, ok := queryCookie(m.IsEdns0()); ok && m.Rcode == dns.RcodeFormatError {
				t.Errorf("cookie in the FORMERR answer to a malformed one")
			}
			if m.Question[0].Qclass == dns.ClassCHAOS && m.Authoritative {
				t.Errorf("chaos answer with AA set")
			}
			compare(t, "answer", m.Answer, rrStrings(t, tt.answer))
		})
	}
}

// TestFlagsCopied: RD and CD come back whatever the opcode, also in
// NOTIMP answers.
func TestFlagsCopied(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, opcode := range []int{dns.OpcodeQuery, dns.OpcodeIQuery, dns.OpcodeStatus, dns.OpcodeNotify, dns.OpcodeUpdate, 3, 15} {
		for _, rd := range []bool{false, true} {
			q := query("example.com.", dns.TypeSOA)
			q.Opcode, q.RecursionDesired, q.CheckingDisabled = opcode, rd, rd
			rec := newRecorder(t, false, "127.0.0.1")
			s.ServeDNS(rec, q)
			m := rec.only()
			if m.RecursionDesired != rd || m.CheckingDisabled != rd || m.RecursionAvailable || m.Opcode != opcode {
				t.Errorf("opcode %d rd=cd=%v: reply rd=%v cd=%v ra=%v opcode %d (%s)", opcode, rd,
					m.RecursionDesired, m.CheckingDisabled, m.RecursionAvailable, m.Opcode, dns.RcodeToString[m.Rcode])
			}
		}
	}
}

// TestNSID: the NSID goes to a client that asks for it, when one is
// configured (RFC 5001), and nowhere else.
func TestNSID(t *testing.T) {
	ask := func(edns, nsid bool) *dns.Msg {
		q := query("www.example.com.", dns.TypeA)
		if edns {
			q.SetEdns0(1232, false)
		}
		if nsid {
			q.IsEdns0().Option = append(q.IsEdns0().Option, &dns.EDNS0_NSID{Code: dns.EDNS0NSID})
		}
		return q
	}
	tests := []struct {
		name       string
		nsid       string
		edns, asks bool
		want       string // hex; "" for no NSID option
	}{
		{"asked and configured", "ns1.example.net", true, true, hex.EncodeToString([]byte("ns1.example.net"))},
		{"asked, none configured", "", true, true, ""},
		{"configured, not asked", "ns1", true, false, ""},
		{"no edns", "ns1", false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, Config{Limits: Limits{NSID: tt.nsid}})
			rec := newRecorder(t, false, "127.0.0.1")
			s.ServeDNS(rec, ask(tt.edns, tt.asks))
			got := ""
			if opt := rec.only().IsEdns0(); opt != nil {
				for _, o := range opt.Option {
					if n, ok := o.(*dns.EDNS0_NSID); ok {
						got = n.Nsid
					}
				}
			}
			if got != tt.want {
				t.Errorf("NSID %q, want %q", got, tt.want)
			}
		})
	}
}
