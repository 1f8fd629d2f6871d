package dnsserver

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/dnsserver/rrl"
)

// flood sends n queries to s from ip at one instant and counts the full
// answers, the truncated (slipped) ones and the queries left unanswered.
func flood(t *testing.T, s *Server, tcp bool, ip string, n int, q func() *dns.Msg) (full, slipped, dropped int) {
	t.Helper()
	for range n {
		rec := newRecorder(t, tcp, ip)
		s.ServeDNS(rec, q())
		switch {
		case len(rec.msgs) == 0:
			dropped++
		case rec.msgs[0].Truncated:
			if m := rec.msgs[0]; len(m.Answer)+len(m.Ns) != 0 || len(m.Question) != 1 {
				t.Fatalf("slipped answer carries records: %v", m)
			}
			slipped++
		default:
			full++
		}
	}
	return full, slipped, dropped
}

func TestRateLimit(t *testing.T) {
	now := time.Unix(1800000000, 0)
	key := Key{Name: "xfr.", Algorithm: "hmac-sha256", Secret: secret}
	www := func() *dns.Msg { return query("www.example.com.", dns.TypeA) }
	tests := []struct {
		name                   string
		tcp                    bool
		ip                     string
		q                      func() *dns.Msg
		full, slipped, dropped int
	}{
		{name: "udp from one prefix is capped, every 2nd limited answer slipped", ip: "192.0.2.1", q: www, full: 10, slipped: 15, dropped: 15},
		{name: "tcp is not limited", tcp: true, ip: "192.0.2.1", q: www, full: 40},
		{name: "an address a keyless rule admits is not limited", ip: "127.0.0.1", q: www, full: 40},
		{name: "a signed query a keyed rule admits is not limited", ip: "192.0.2.1",
			q: func() *dns.Msg { return signed(www(), "xfr.") }, full: 40},
		{name: "errors are limited too", ip: "192.0.2.1", q: func() *dns.Msg { return query("www.example.org.", dns.TypeA) },
			full: 10, slipped: 15, dropped: 15},
		{name: "a valid cookie is not limited", ip: "192.0.2.1", q: nil, full: 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, Config{Now: func() time.Time { return now }, Keys: []Key{key},
				Zones: []ZoneConfig{{Name: "example.com.", Transfer: []TransferRule{
					{From: netip.MustParsePrefix("127.0.0.0/8")}, {From: netip.MustParsePrefix("192.0.2.0/24"), Key: "xfr."}}}},
				Limits: Limits{RateLimit: 10, Cookies: true}})
			q := tt.q
			if q == nil {
				valid := withCookie(cookieAnswer(t, s, tt.ip, "0102030405060708"))
				q = func() *dns.Msg { return valid.Copy() }
				s.rrl = rrl.New(rrl.Config{Rate: 10, Slip: 2}) // forget the query that fetched the cookie
			}
			full, slipped, dropped := flood(t, s, tt.tcp, tt.ip, 40, q)
			if full != tt.full || slipped != tt.slipped || dropped != tt.dropped {
				t.Errorf("full %d, slipped %d, dropped %d; want %d, %d, %d", full, slipped, dropped, tt.full, tt.slipped, tt.dropped)
			}
			st := s.Stats()
			if st.RateLimitSlipped != uint64(tt.slipped) || st.RateLimitDropped != uint64(tt.dropped) {
				t.Errorf("stats slipped %d dropped %d, want %d %d", st.RateLimitSlipped, st.RateLimitDropped, tt.slipped, tt.dropped)
			}
			if want := uint64(tt.full + tt.slipped); st.Queries < want {
				t.Errorf("%d queries counted, want at least the %d answered", st.Queries, want)
			}
		})
	}
}

// TestRateLimitPerPrefix: a flood from one prefix leaves another's
// budget alone, and the budget refills at the rate.
func TestRateLimitPerPrefix(t *testing.T) {
	now := time.Unix(1800000000, 0)
	s := newTestServer(t, Config{Now: func() time.Time { return now }, Limits: Limits{RateLimit: 10}})
	www := func() *dns.Msg { return query("www.example.com.", dns.TypeA) }
	if full, _, _ := flood(t, s, false, "192.0.2.1", 100, www); full != 10 {
		t.Fatalf("flood got %d full answers, want 10", full)
	}
	if full, _, _ := flood(t, s, false, "198.51.100.1", 10, www); full != 10 {
		t.Errorf("another prefix got %d of 10 answers during the flood", full)
	}
	now = now.Add(500 * time.Millisecond)
	if full, _, _ := flood(t, s, false, "192.0.2.1", 10, www); full != 5 {
		t.Errorf("half a second later the flooded prefix got %d answers, want 5", full)
	}
}

func TestAnswerKind(t *testing.T) {
	s := newTestServer(t, Config{})
	tests := []struct {
		q    *dns.Msg
		want rrl.Kind
	}{
		{query("www.example.com.", dns.TypeA), rrl.Positive},
		{query("www.example.com.", dns.TypeMX), rrl.NoData},
		{query("nope.example.com.", dns.TypeA), rrl.NXDomain},
		{query("www.sub.example.com.", dns.TypeA), rrl.Referral},
		{query("www.example.org.", dns.TypeA), rrl.Error},
	}
	for _, tt := range tests {
		rec := newRecorder(t, false, "127.0.0.1")
		s.ServeDNS(rec, tt.q)
		if got := answerKind(rec.only()); got != tt.want {
			t.Errorf("%s %s: kind %v, want %v", tt.q.Question[0].Name, dns.TypeToString[tt.q.Question[0].Qtype], got, tt.want)
		}
	}
}

// BenchmarkServeDNSGuarded is BenchmarkServeDNS's first query with the
// rate limit on (at a rate no client reaches) and a client cookie: the
// cost of the guards on the query path, beside BenchmarkServeDNS.
func BenchmarkServeDNSGuarded(b *testing.B) {
	s := newTestServer(b, Config{Limits: Limits{RateLimit: 1 << 30, Cookies: true}})
	for _, cookie := range []bool{false, true} {
		b.Run(map[bool]string{false: "rate limit", true: "rate limit and cookie"}[cookie], func(b *testing.B) {
			b.ReportAllocs()
			w := &lastWriter{remote: &net.UDPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 40000}}
			q := query("www.example.com.", dns.TypeA)
			if cookie {
				q = withCookie("0102030405060708")
			}
			for b.Loop() {
				s.ServeDNS(w, q)
			}
			if w.last == nil || len(w.last.Answer) != 1 {
				b.Fatalf("answer %v", w.last)
			}
		})
	}
}
