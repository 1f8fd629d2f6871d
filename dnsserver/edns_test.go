package dnsserver

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// bigZone has one name whose TXT set is about 2.4 kB on the wire.
func bigZone(t *testing.T) string {
	t.Helper()
	return bigZoneText()
}

func bigZoneText() string {
	var b strings.Builder
	b.WriteString("$ORIGIN big.test.\n$TTL 60\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n")
	for i := range 40 {
		fmt.Fprintf(&b, "txt TXT \"record %02d %s\"\n", i, strings.Repeat("x", 40))
	}
	return b.String()
}

func TestEDNSAndTruncation(t *testing.T) {
	tests := []struct {
		name     string
		tcp      bool
		edns     uint16 // 0: no OPT
		udpSize  uint16 // server config
		tc       bool
		maxBytes int
	}{
		{name: "udp without edns gets 512 bytes", tc: true, maxBytes: 512},
		{name: "udp edns capped by the server size", edns: 4096, tc: true, maxBytes: 1232},
		{name: "udp edns capped by the client size", edns: 700, tc: true, maxBytes: 700},
		{name: "udp edns below 512 counts as 512", edns: 100, tc: true, maxBytes: 512},
		{name: "udp edns large enough", edns: 4096, udpSize: 4096, maxBytes: 4096},
		{name: "tcp complete", tcp: true, maxBytes: dns.MaxMsgSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(Config{Zones: []ZoneConfig{{Name: "big.test."}}, UDPSize: tt.udpSize}, discardLog())
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Publish(parseZone(t, "big.test.", bigZone(t))); err != nil {
				t.Fatal(err)
			}
			q := query("txt.big.test.", dns.TypeTXT)
			if tt.edns != 0 {
				q.SetEdns0(tt.edns, true)
			}
			rec := newRecorder(t, tt.tcp, "127.0.0.1")
			s.ServeDNS(rec, q)
			m := rec.only()
			if m.Truncated != tt.tc {
				t.Errorf("TC = %v, want %v", m.Truncated, tt.tc)
			}
			if rec.sizes[0] > tt.maxBytes {
				t.Errorf("answer is %d bytes, limit %d", rec.sizes[0], tt.maxBytes)
			}
			if !tt.tc && len(m.Answer) != 40 {
				t.Errorf("untruncated answer has %d records, want 40", len(m.Answer))
			}
			opt := m.IsEdns0()
			switch {
			case tt.edns == 0 && opt != nil:
				t.Errorf("OPT in answer to a query without EDNS")
			case tt.edns != 0 && opt == nil:
				t.Errorf("no OPT in answer to an EDNS query")
			case opt != nil && (opt.UDPSize() != s.cfg.UDPSize || opt.Version() != 0 || !opt.Do()):
				t.Errorf("OPT size=%d version=%d do=%v, want size=%d version=0 do echoed", opt.UDPSize(), opt.Version(), opt.Do(), s.cfg.UDPSize)
			}
		})
	}
}

func TestBadVersion(t *testing.T) {
	s := newTestServer(t, Config{})
	q := query("www.example.com.", dns.TypeA)
	q.SetEdns0(1232, false)
	q.IsEdns0().SetVersion(1)
	rec := newRecorder(t, false, "127.0.0.1")
	s.ServeDNS(rec, q)
	m := rec.only()
	if m.Rcode != dns.RcodeBadVers || m.IsEdns0() == nil || len(m.Answer) != 0 {
		t.Errorf("rcode=%s opt=%v answers=%d, want BADVERS with OPT and no answer", dns.RcodeToString[m.Rcode], m.IsEdns0(), len(m.Answer))
	}
}

func TestTSIGFailureIsNotAuth(t *testing.T) {
	tests := []struct {
		name   string
		status error
		want   uint16
	}{
		{"unknown key", errBadKey, dns.RcodeBadKey},
		{"bad signature", dns.ErrSig, dns.RcodeBadSig},
		{"bad time", dns.ErrTime, dns.RcodeBadTime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, Config{})
			q := query("www.example.com.", dns.TypeA)
			q.SetTsig("k.", dns.HmacSHA256, 300, time.Now().Unix())
			rec := newRecorder(t, true, "127.0.0.1")
			rec.tsigStatus = tt.status
			s.ServeDNS(rec, q)
			m := rec.only()
			ts := m.IsTsig()
			if m.Rcode != dns.RcodeNotAuth || ts == nil || ts.Error != tt.want || ts.MAC != "" || len(m.Answer) != 0 {
				t.Fatalf("got rcode %s tsig %v, want NOTAUTH with unsigned TSIG error %s", dns.RcodeToString[m.Rcode], ts, dns.RcodeToString[int(tt.want)])
			}
			if got := s.Stats().TSIGFailures; got != 1 {
				t.Errorf("TSIGFailures = %d, want 1", got)
			}
		})
	}
}
