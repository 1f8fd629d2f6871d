package dnsserver

import (
	"slices"
	"testing"

	"github.com/miekg/dns"
)

// srvZone has SRV targets in the zone (with an A and an AAAA), one out of
// it, and one in-zone target with no address.
const srvZone = `$ORIGIN example.org.
$TTL 3600
@             SOA   ns1 hostmaster 2024010101 7200 3600 1209600 300
@             NS    ns1
ns1           A     192.0.2.1
_imap._tcp    SRV   0 5 143 mail
_imap._tcp    SRV   10 5 143 mail.example.net.
_xmpp._tcp    SRV   0 5 5222 chat
mail          A     192.0.2.3
mail          AAAA  2001:db8::3
chat          TXT   "no address here"
`

func srvServer(t *testing.T) *Server {
	t.Helper()
	s, err := New(Config{Zones: []ZoneConfig{{Name: "example.org."}}}, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(parseZone(t, "example.org.", srvZone)); err != nil {
		t.Fatal(err)
	}
	return s
}

// An SRV answer carries its in-zone targets' addresses in the additional
// section (RFC 2782), as NSD and Knot send them; out-of-zone targets and
// targets without an address add nothing. Checked through ServeDNS and over
// UDP, where the fast path answers.
func TestSRVTargetsInAdditional(t *testing.T) {
	s := srvServer(t)
	addr := startServer(t, s)
	tests := []struct {
		qname string
		extra []string
	}{
		{"_imap._tcp.example.org.", []string{"mail.example.org.\t3600\tIN\tA\t192.0.2.3", "mail.example.org.\t3600\tIN\tAAAA\t2001:db8::3"}},
		{"_xmpp._tcp.example.org.", nil},
	}
	for _, tt := range tests {
		rec := newRecorder(t, false, "127.0.0.1")
		s.ServeDNS(rec, query(tt.qname, dns.TypeSRV))
		wire, err := dns.Exchange(query(tt.qname, dns.TypeSRV), addr)
		if err != nil {
			t.Fatalf("%s over udp: %v", tt.qname, err)
		}
		for how, m := range map[string]*dns.Msg{"ServeDNS": rec.only(), "udp": wire} {
			var extra []string
			for _, rr := range m.Extra {
				if rr.Header().Rrtype != dns.TypeOPT {
					extra = append(extra, rr.String())
				}
			}
			slices.Sort(extra)
			if !slices.Equal(extra, tt.extra) {
				t.Errorf("%s SRV (%s): additional %q, want %q", tt.qname, how, extra, tt.extra)
			}
			if len(m.Answer) == 0 || !m.Authoritative {
				t.Errorf("%s SRV (%s): answer %v aa=%v, want the SRV records, authoritative", tt.qname, how, m.Answer, m.Authoritative)
			}
		}
	}
}

// The authority section's SOA, of a NODATA or NXDOMAIN answer to a query
// asked in mixed case (0x20), is owned by the apex as the query spelled it,
// as NSD sends it (the name compresses against the question).
func TestQueryCaseKeptInAuthority(t *testing.T) {
	s := newTestServer(t, Config{})
	addr := startServer(t, s)
	tests := []struct {
		qname string
		qtype uint16
		rcode int
	}{
		{"WwW.ExAmPlE.CoM.", dns.TypeMX, dns.RcodeSuccess},   // NODATA
		{"NoPe.ExAmPlE.CoM.", dns.TypeA, dns.RcodeNameError}, // NXDOMAIN
	}
	for _, tt := range tests {
		rec := newRecorder(t, false, "127.0.0.1")
		s.ServeDNS(rec, query(tt.qname, tt.qtype))
		wire, err := dns.Exchange(query(tt.qname, tt.qtype), addr)
		if err != nil {
			t.Fatalf("%s over udp: %v", tt.qname, err)
		}
		for how, m := range map[string]*dns.Msg{"ServeDNS": rec.only(), "udp": wire} {
			if m.Rcode != tt.rcode || len(m.Ns) != 1 || m.Ns[0].Header().Rrtype != dns.TypeSOA {
				t.Errorf("%s (%s): rcode %s authority %v, want %s and the SOA", tt.qname, how, dns.RcodeToString[m.Rcode], m.Ns, dns.RcodeToString[tt.rcode])
				continue
			}
			if got := m.Ns[0].Header().Name; got != "ExAmPlE.CoM." {
				t.Errorf("%s (%s): SOA owned by %q, want the apex as asked, ExAmPlE.CoM.", tt.qname, how, got)
			}
		}
	}
}
