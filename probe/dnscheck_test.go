package probe

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// fakeDNS answers on 127.0.0.1 (UDP and TCP, same port) from a fixed set
// of records, and keeps who asked over which transport.
type fakeDNS struct {
	port  uint16
	mu    sync.Mutex
	asked []string // "udp 127.0.0.1" per question
}

func startDNS(t *testing.T, ip string, handle func(w dns.ResponseWriter, q *dns.Msg) *dns.Msg) *fakeDNS {
	t.Helper()
	// The UDP port the kernel picks may be taken on TCP by another
	// program (the machine is shared): try a few.
	var pc net.PacketConn
	var ln net.Listener
	var port int
	for try := 0; ln == nil; try++ {
		var err error
		if pc, err = net.ListenPacket("udp", ip+":0"); err != nil {
			t.Fatal(err)
		}
		port = pc.LocalAddr().(*net.UDPAddr).Port
		if ln, err = net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port))); err != nil {
			pc.Close()
			if try == 20 {
				t.Fatalf("no port free on both UDP and TCP: %v", err)
			}
		}
	}
	f := &fakeDNS{port: uint16(port)}
	mux := dns.NewServeMux()
	mux.HandleFunc(".", func(w dns.ResponseWriter, q *dns.Msg) {
		peer, _ := netip.ParseAddrPort(w.RemoteAddr().String())
		f.mu.Lock()
		f.asked = append(f.asked, w.RemoteAddr().Network()+" "+peer.Addr().String())
		f.mu.Unlock()
		_ = w.WriteMsg(handle(w, q))
	})
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: mux}, {Listener: ln, Handler: mux}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		waitFor(t, started, "the DNS server")
		t.Cleanup(func() { _ = srv.Shutdown() })
	}
	return f
}

func (f *fakeDNS) log() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.asked, ", ")
}

// zoneAnswers answers from a little zone: www has two A records, alias is a
// CNAME to www, big is truncated over UDP, broken gives SERVFAIL.
func zoneAnswers(w dns.ResponseWriter, q *dns.Msg) *dns.Msg {
	r := new(dns.Msg)
	r.SetReply(q)
	r.Authoritative = true
	rr := func(s string) dns.RR { x, _ := dns.NewRR(s); return x }
	qn, qt := q.Question[0].Name, q.Question[0].Qtype
	switch {
	case qn == "www.example.com." && qt == dns.TypeA:
		r.Answer = []dns.RR{rr("www.example.com. 60 IN A 192.0.2.10"), rr("www.example.com. 60 IN A 192.0.2.11")}
	case qn == "www.example.com.":
	case qn == "alias.example.com.":
		r.Answer = []dns.RR{rr("alias.example.com. 60 IN CNAME www.example.com."), rr("www.example.com. 60 IN A 192.0.2.10")}
	case qn == "big.example.com." && w.RemoteAddr().Network() == "udp":
		r.Truncated = true
	case qn == "big.example.com.":
		r.Answer = []dns.RR{rr("big.example.com. 60 IN TXT \"over tcp\"")}
	case qn == "broken.example.com.":
		r.Rcode = dns.RcodeServerFailure
	case qn == "elsewhere.example.com.":
		r.Answer = []dns.RR{rr("other.example.com. 60 IN A 192.0.2.99")}
	default:
		r.Rcode = dns.RcodeNameError
	}
	return r
}

func TestDNS(t *testing.T) {
	srv := startDNS(t, "127.0.0.1", zoneAnswers)
	tests := []struct {
		name       string
		qname      string
		qtype      uint16
		wantOK     bool
		wantReason string
		wantAsked  string
	}{
		{"answer", "www.example.com", dns.TypeA, true, "DNS NOERROR, www.example.com. A 192.0.2.10 (+1 more)", "udp 127.0.0.1"},
		{"through a CNAME", "alias.example.com.", dns.TypeA, true, "DNS NOERROR, alias.example.com. A 192.0.2.10", "udp 127.0.0.1"},
		{"no such type", "www.example.com", dns.TypeAAAA, false, "DNS NOERROR but no AAAA record for www.example.com.", "udp 127.0.0.1"},
		{"no such name", "nope.example.com", dns.TypeA, false, "DNS NXDOMAIN for nope.example.com. A", "udp 127.0.0.1"},
		{"server failure", "broken.example.com", dns.TypeA, false, "DNS SERVFAIL for broken.example.com. A", "udp 127.0.0.1"},
		{"answer for another name", "elsewhere.example.com", dns.TypeA, false, "DNS NOERROR but no A record for elsewhere.example.com.", "udp 127.0.0.1"},
		{"truncated, again over TCP", "big.example.com", dns.TypeTXT, true, `DNS NOERROR, big.example.com. TXT "over tcp"`, "udp 127.0.0.1, tcp 127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.mu.Lock()
			srv.asked = nil
			srv.mu.Unlock()
			p := &DNS{Port: srv.port, Name: tt.qname, Type: tt.qtype}
			got := p.Probe(testCtx(t), netip.MustParseAddr("127.0.0.1"))
			checkResult(t, got, tt.wantOK, tt.wantReason)
			if got := srv.log(); got != tt.wantAsked {
				t.Errorf("server was asked %q, want %q", got, tt.wantAsked)
			}
		})
	}
}

func TestDNSNoServer(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := pc.LocalAddr().(*net.UDPAddr).Port
	pc.Close()
	got := (&DNS{Port: uint16(port), Name: "www.example.com", Type: dns.TypeA}).Probe(testCtx(t), netip.MustParseAddr("127.0.0.1"))
	checkResult(t, got, false, "DNS: read: connection refused")
}

func TestDNSValidate(t *testing.T) {
	tests := []struct {
		probe DNS
		want  string
	}{
		{DNS{Name: "a.example", Type: dns.TypeA}, "Port: port 0 is not in 1-65535"},
		{DNS{Port: 53, Type: dns.TypeA}, `Name: "" is not a domain name`},
		{DNS{Port: 53, Name: "a..example", Type: dns.TypeA}, `Name: "a..example" is not a domain name`},
		{DNS{Port: 53, Name: "a.example", Type: dns.TypeAXFR}, "Type: AXFR cannot be asked for"},
		{DNS{Port: 53, Name: "a.example", Type: 0}, "Type: None cannot be asked for"},
	}
	for _, tt := range tests {
		if err := tt.probe.Validate(); err == nil || err.Error() != tt.want {
			t.Errorf("%+v: got %v, want %s", tt.probe, err, tt.want)
		}
	}
}
