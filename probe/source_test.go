package probe

import (
	"net"
	"net/http"
	"net/netip"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// Every check that opens a connection binds Source when it is set: the
// server sees the probe arrive from that address. (All of 127.0.0.0/8 is
// this host's on Linux, so 127.0.0.53 can be bound without setup.)
func TestSourceIsBound(t *testing.T) {
	source := netip.MustParseAddr("127.0.0.53")
	loopback := netip.MustParseAddr("127.0.0.1")
	pki := newTestPKI(t, "mx.example.com")
	trusted := TLSOptions{Host: "mx.example.com", RootCAs: pki.pool}

	var mu sync.Mutex
	var httpPeer string
	web := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		httpPeer = r.RemoteAddr
		mu.Unlock()
	}))
	webAP := listenerAddr(t, web.Listener)
	got := (&HTTP{URL: urlFor("http", webAP, "/"), Source: source}).Probe(testCtx(t), loopback)
	checkResult(t, got, true, "HTTP 200")
	mu.Lock()
	if ap, _ := netip.ParseAddrPort(httpPeer); ap.Addr() != source {
		t.Errorf("HTTP probe arrived from %s, want %s", httpPeer, source)
	}
	mu.Unlock()

	for _, tc := range []struct {
		name   string
		speak  func(c *textConn)
		prober func(port uint16) Prober
		want   string
	}{
		{"tcp", func(c *textConn) {}, func(p uint16) Prober { return &TCP{Port: p, Source: source} }, "TCP port "},
		{"smtp", smtpScript{}.speak, func(p uint16) Prober { return &SMTP{Port: p, StartTLS: true, TLS: trusted, Source: source} }, "SMTP 250"},
		{"imap", imapScript{}.speak, func(p uint16) Prober { return &IMAP{Port: p, StartTLS: true, TLS: trusted, Source: source} }, "IMAP OK"},
		{"tls", func(c *textConn) { c.startTLS() }, func(p uint16) Prober { return &TLSHandshake{Port: p, TLS: trusted, Source: source} }, "TLS 1.3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startFake(t, &pki.leaf, tc.speak)
			checkResult(t, tc.prober(srv.port()).Probe(testCtx(t), loopback), true, tc.want)
			if s := srv.last(); s.peer != source {
				t.Errorf("probe arrived from %s, want %s", s.peer, source)
			}
		})
	}

	ns := startDNS(t, "127.0.0.1", zoneAnswers)
	got = (&DNS{Port: ns.port, Name: "big.example.com", Type: dns.TypeTXT, Source: source}).Probe(testCtx(t), loopback)
	checkResult(t, got, true, "DNS NOERROR")
	if log := ns.log(); log != "udp 127.0.0.53, tcp 127.0.0.53" {
		t.Errorf("DNS server was asked by %q, want udp and tcp from %s", log, source)
	}
}

// A source that is not an address of this host fails the probe with the
// kernel's word for it, and a source of the other family is refused.
func TestSourceProblems(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ap := listenerAddr(t, ln)
	got := (&TCP{Port: ap.Port(), Source: netip.MustParseAddr("192.0.2.1")}).Probe(testCtx(t), ap.Addr())
	checkResult(t, got, false, "connect: cannot assign requested address")
	got = (&TCP{Port: ap.Port(), Source: netip.IPv6Loopback()}).Probe(testCtx(t), ap.Addr())
	checkResult(t, got, false, "invalid probe: source ::1 and target 127.0.0.1 are of different address families")
	got = (&SMTP{Port: 25, Source: netip.IPv6Loopback()}).Probe(testCtx(t), ap.Addr())
	checkResult(t, got, false, "invalid probe: source ::1 and target 127.0.0.1 are of different address families")
}
