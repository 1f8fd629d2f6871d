package dnssec

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// parentServer answers DS queries for example.com. with ds (TTL 600) on
// 127.0.0.1, over UDP; it returns the address.
func parentServer(t *testing.T, ds []*dns.DS) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := dns.NewServeMux()
	mux.HandleFunc("example.com.", func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		if r.Question[0].Qtype == dns.TypeDS {
			for _, d := range ds {
				c := *d
				c.Hdr.Ttl = 600
				m.Answer = append(m.Answer, &c)
			}
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

// TestQueryParents: the DS the parent serves is read with its TTL, from
// the first server that answers.
func TestQueryParents(t *testing.T) {
	k, _ := newKey("example.com.", RoleCSK, dns.ECDSAP256SHA256, 0, t0)
	addr := parentServer(t, []*dns.DS{k.DS()})
	dead, _ := net.ListenPacket("udp", "127.0.0.1:0") // bound, never answers
	defer dead.Close()
	lookup := QueryParents([]string{dead.LocalAddr().String(), addr}, 300*time.Millisecond)
	set, ttl, err := lookup(context.Background(), "example.com.")
	if err != nil || len(set) != 1 || ttl != 600*time.Second || !hasDS(set, k) {
		t.Fatalf("DS %v, TTL %s, %v", set, ttl, err)
	}
	if _, _, err := QueryParents([]string{dead.LocalAddr().String()}, 100*time.Millisecond)(context.Background(), "example.com."); err == nil {
		t.Fatal("no answer from any parent is not an error")
	}
}
