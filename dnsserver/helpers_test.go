package dnsserver

import (
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

// recorder is a dns.ResponseWriter that keeps what the handler writes,
// after a round trip through the wire format.
type recorder struct {
	t          *testing.T
	remote     net.Addr
	tsigStatus error
	msgs       []*dns.Msg
	sizes      []int
}

func newRecorder(t *testing.T, tcp bool, ip string) *recorder {
	t.Helper()
	a := netip.MustParseAddr(ip)
	var remote net.Addr = net.UDPAddrFromAddrPort(netip.AddrPortFrom(a, 40000))
	if tcp {
		remote = net.TCPAddrFromAddrPort(netip.AddrPortFrom(a, 40000))
	}
	return &recorder{t: t, remote: remote}
}

func (r *recorder) LocalAddr() net.Addr  { return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53} }
func (r *recorder) RemoteAddr() net.Addr { return r.remote }
func (r *recorder) Close() error         { return nil }
func (r *recorder) TsigStatus() error    { return r.tsigStatus }
func (r *recorder) TsigTimersOnly(bool)  {}
func (r *recorder) Hijack()              {}
func (r *recorder) WriteMsg(m *dns.Msg) error {
	buf, err := m.Pack()
	r.check(err)
	_, err = r.Write(buf)
	return err
}

func (r *recorder) Write(b []byte) (int, error) {
	m := new(dns.Msg)
	r.check(m.Unpack(b))
	r.msgs = append(r.msgs, m)
	r.sizes = append(r.sizes, len(b))
	return len(b), nil
}

func (r *recorder) check(err error) {
	r.t.Helper()
	if err != nil {
		r.t.Fatalf("handler wrote a malformed message: %v", err)
	}
}

// only returns the single message written.
func (r *recorder) only() *dns.Msg {
	r.t.Helper()
	if len(r.msgs) != 1 {
		r.t.Fatalf("handler wrote %d messages, want 1", len(r.msgs))
	}
	return r.msgs[0]
}

const testZone = `$ORIGIN example.com.
$TTL 3600
@        SOA   ns1 hostmaster 2024010101 7200 3600 1209600 300
@        NS    ns1
@        NS    ns2
@        MX    10 mail
ns1      A     192.0.2.1
ns2      A     192.0.2.2
mail     A     192.0.2.3
www      A     192.0.2.10
www      AAAA  2001:db8::10
alias    CNAME www
chain    CNAME alias
out      CNAME www.example.net.
dangling CNAME nothere
loop1    CNAME loop2
loop2    CNAME loop1
*.wild   TXT   "wildcard"
*.wild   A     192.0.2.20
exists.wild A  192.0.2.21
a.b.ent  A     192.0.2.30
*.ent    TXT   "ent wildcard"
*.cn     CNAME www
sub      NS    ns.sub
sub      NS    ns.other.net.
sub      DS    12345 13 2 3F2A9C1B8D7E6F5A4B3C2D1E0F9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D3E2F1A
ns.sub   A     192.0.2.53
deep.sub A     192.0.2.54
nods     NS    ns.other.net.
`

// parseZone parses and validates zone text as a version.
func parseZone(t testing.TB, origin, text string) *zones.Version {
	t.Helper()
	v, err := zones.ParseVersion(origin, "test.zone", []byte(text), zones.ParseOptions{})
	if err != nil {
		t.Fatalf("parse test zone: %v", err)
	}
	return v
}

// publishNext publishes zone text as the version after the served one,
// with the journal entry between them.
func publishNext(t testing.TB, s *Server, text string) error {
	t.Helper()
	v := parseZone(t, "example.com.", text)
	zones.Chain(s.Current("example.com."), v, zones.DefaultJournalSize)
	return s.Publish(v)
}

// withSerial returns text with the test zone's serial replaced.
func withSerial(text, serial string) string {
	return strings.Replace(text, "2024010101", serial, 1)
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newTestServer returns a server publishing the test zone.
func newTestServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Zones == nil {
		cfg.Zones = []ZoneConfig{{Name: "example.com.", AllowTransfer: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}}
	}
	s, err := New(cfg, discardLog())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.Publish(parseZone(t, "example.com.", testZone)); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	return s
}

// rrStrings normalises zone-text records to their presentation form.
func rrStrings(t *testing.T, lines []string) []string {
	t.Helper()
	var out []string
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			t.Fatalf("bad expected record %q: %v", l, err)
		}
		out = append(out, rr.String())
	}
	return out
}

// sectionStrings renders a section, leaving out OPT and TSIG.
func sectionStrings(rrs []dns.RR) []string {
	var out []string
	for _, rr := range rrs {
		if t := rr.Header().Rrtype; t != dns.TypeOPT && t != dns.TypeTSIG {
			out = append(out, rr.String())
		}
	}
	return out
}

func query(name string, qtype uint16) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.RecursionDesired = false
	return m
}

// breakIndex replaces the served example.com. with an index that has no
// version, which no publish can make: looking anything up in it panics.
func breakIndex(s *Server) {
	ix := *s.snap.Load().zones["example.com."]
	ix.v = nil
	s.snap.Store(s.snap.Load().with(&ix))
}
