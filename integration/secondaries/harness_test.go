package secondaries

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/dnsserver"
	"github.com/zonerw/zonerw/integration/peers"
	"github.com/zonerw/zonerw/zones"
)

// startDaemon runs the daemon in the foreground, its output in dir, and
// stops it (by the PID it was started with) when the test ends.
func startDaemon(t *testing.T, bin string, args []string, dir string) {
	t.Helper()
	peers.Start(t, bin, args, dir, "nsd.log")
}

// zoneVersion is the test zone at a serial with www at the given address.
// The addresses are data served, never dialled.
func zoneVersion(t *testing.T, serial uint32, www string) *zones.Version {
	t.Helper()
	text := `$ORIGIN example.com.
$TTL 300
@    SOA  ns1 hostmaster SERIAL 3600 600 86400 60
@    NS   ns1
@    NS   ns2
ns1  A    192.0.2.1
ns2  A    192.0.2.2
mail A    192.0.2.3
@    MX   10 mail
www  A    WWW
api  CNAME www
`
	text = strings.NewReplacer("SERIAL", strconv.FormatUint(uint64(serial), 10), "WWW", www).Replace(text)
	v, err := zones.ParseVersion("example.com.", "test.zone", []byte(text), zones.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// publishNext publishes v after the served version, with the journal
// entry between them (what the publish pipeline does).
func publishNext(primary *dnsserver.Server, v *zones.Version) error {
	zones.Chain(primary.Current(v.Origin()), v, zones.DefaultJournalSize)
	return primary.Publish(v)
}

// startPrimary serves cfg on 127.0.0.1:0 and returns the server and its address.
func startPrimary(t *testing.T, cfg dnsserver.Config) (*dnsserver.Server, netip.AddrPort) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := dnsserver.New(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pc, err := net.ListenPacket("udp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(pc, ln); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown primary: %v", err)
		}
	})
	return s, ln.Addr().(*net.TCPAddr).AddrPort()
}

// testWriter sends the primary's log lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

var _ io.Writer = testWriter{}

// ask sends one query to the secondary over UDP.
func ask(addr netip.AddrPort, name string, qtype uint16) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.RecursionDesired = false
	c := &dns.Client{Net: "udp", Timeout: 500 * time.Millisecond}
	r, _, err := c.Exchange(m, addr.String())
	return r, err
}

// answersA reports whether the secondary answers name A with exactly want.
func answersA(addr netip.AddrPort, name, want string) bool {
	r, err := ask(addr, name, dns.TypeA)
	if err != nil || r.Rcode != dns.RcodeSuccess || !r.Authoritative {
		return false
	}
	for _, rr := range r.Answer {
		if a, ok := rr.(*dns.A); ok && a.A.String() == want {
			return true
		}
	}
	return false
}

// errTimeout says a poll ran out of time.
var errTimeout = errors.New("deadline passed")

// poll checks cond every millisecond until it holds or the deadline
// passes, and returns the time it took.
func poll(deadline time.Duration, cond func() bool) (time.Duration, error) {
	start := time.Now()
	for {
		if cond() {
			return time.Since(start), nil
		}
		if time.Since(start) > deadline {
			return time.Since(start), errTimeout
		}
		time.Sleep(time.Millisecond) // the polling interval the brief asks for
	}
}
