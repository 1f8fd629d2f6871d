package integration

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// fakeSecondary answers SOA queries for example.com with a fixed serial,
// as a real secondary that holds a newer copy than zonerw remembers would.
func fakeSecondary(t *testing.T, serial uint32) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := dns.NewServeMux()
	mux.HandleFunc("example.com.", func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		m.Authoritative = true
		if r.Question[0].Qtype == dns.TypeSOA {
			m.Answer = append(m.Answer, &dns.SOA{
				Hdr: dns.RR_Header{Name: "example.com.", Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 3600},
				Ns:  "ns1.example.com.", Mbox: "hostmaster.example.com.", Serial: serial,
				Refresh: 3600, Retry: 900, Expire: 1209600, Minttl: 300,
			})
		}
		w.WriteMsg(m)
	})
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, Handler: mux, NotifyStartedFunc: func() { close(started) }}
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

// A lost state directory must not make zonerw publish a serial the
// secondaries would ignore: on start it asks them and goes above the
// highest serial they report.
func TestServeStartsAboveTheSecondariesSerial(t *testing.T) {
	main := startWeb(t, "127.0.0.11", 0)
	startWeb(t, "127.0.0.12", main.port())
	const ahead = 2099010100 // far ahead of today's date serial
	sec := fakeSecondary(t, ahead)
	dnsPort := freePort(t, "127.0.0.1")
	cfg := serveConfig(t, main.port(), dnsPort, fmt.Sprintf("    secondaries:\n      - {address: %q}\n", sec))
	d := startServe(t, cfg)
	server := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	waitForA(t, server, "www.example.com", "127.0.0.11", 20*time.Second)
	if got := soaSerial(t, server); !serialGreater(got, ahead) {
		t.Fatalf("serving serial %d, want one above the secondary's %d", got, ahead)
	}
	d.stop(t)
}
