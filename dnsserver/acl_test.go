package dnsserver

import (
	"net/netip"
	"testing"

	"github.com/miekg/dns"
)

// TestTransferRules: a transfer is allowed when any one rule admits it;
// the old lists keep their meaning beside the rules.
func TestTransferRules(t *testing.T) {
	local := netip.MustParsePrefix("127.0.0.1/32")
	anyV4 := netip.MustParsePrefix("0.0.0.0/0")
	nsdStyle := []TransferRule{{From: local}, {From: anyV4, Key: "xfr."}} // provide-xfr: 127.0.0.1 NOKEY; 0.0.0.0/0 xfr
	keys := []Key{{Name: "xfr.", Algorithm: "hmac-sha256", Secret: secret}, {Name: "other.", Algorithm: "hmac-sha256", Secret: secret}}
	tests := []struct {
		name   string
		zone   ZoneConfig
		key    string // the verified key signing the query; "" unsigned
		client string
		ok     bool
	}{
		{"address rule, unsigned", ZoneConfig{Transfer: nsdStyle}, "", "127.0.0.1", true},
		{"address rule, signed with any key", ZoneConfig{Transfer: nsdStyle}, "other.", "127.0.0.1", true},
		{"key rule from elsewhere", ZoneConfig{Transfer: nsdStyle}, "xfr.", "192.0.2.1", true},
		{"key rule, other key", ZoneConfig{Transfer: nsdStyle}, "other.", "192.0.2.1", false},
		{"key rule, unsigned", ZoneConfig{Transfer: nsdStyle}, "", "192.0.2.1", false},
		{"key rule names the key without the final dot", ZoneConfig{Transfer: []TransferRule{{Key: "xfr"}}}, "XFR.", "192.0.2.1", true},
		{"key rule limited to a network", ZoneConfig{Transfer: []TransferRule{{From: netip.MustParsePrefix("10.0.0.0/8"), Key: "xfr."}}}, "xfr.", "192.0.2.1", false},
		{"ipv6 client, ipv4 rule", ZoneConfig{Transfer: []TransferRule{{From: anyV4}}}, "", "2001:db8::1", false},
		{"old lists: both needed", ZoneConfig{AllowTransfer: []netip.Prefix{local}, TransferKeys: []string{"xfr."}}, "", "127.0.0.1", false},
		{"old lists: both given", ZoneConfig{AllowTransfer: []netip.Prefix{local}, TransferKeys: []string{"xfr."}}, "xfr.", "127.0.0.1", true},
		{"old lists beside a rule", ZoneConfig{AllowTransfer: []netip.Prefix{local}, Transfer: []TransferRule{{Key: "other."}}}, "other.", "192.0.2.1", true},
		{"no rules", ZoneConfig{}, "xfr.", "127.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.zone.Name = "example.com."
			s := newTestServer(t, Config{Zones: []ZoneConfig{tt.zone}, Keys: keys})
			q := xfrQuery(dns.TypeAXFR, 0)
			if tt.key != "" {
				q = signed(q, tt.key)
			}
			rec := newRecorder(t, true, tt.client)
			s.ServeDNS(rec, q)
			if got := rec.msgs[0].Rcode == dns.RcodeSuccess; got != tt.ok {
				t.Errorf("transfer allowed: %v, want %v (rcode %s)", got, tt.ok, dns.RcodeToString[rec.msgs[0].Rcode])
			}
		})
	}
}

func TestTransferRuleUnknownKey(t *testing.T) {
	_, err := New(Config{Zones: []ZoneConfig{{Name: "example.com.", Transfer: []TransferRule{{Key: "nokey."}}}}}, discardLog())
	if err == nil || err.Error() != `dns server config: zones[0] (example.com.): transfer rule 0: unknown key "nokey."` {
		t.Fatalf("error %v", err)
	}
}

// TestPeers: who is trusted for the TCP slots and exempt from rate
// limiting, from the rules of every zone.
func TestPeers(t *testing.T) {
	zones := map[string]*ZoneConfig{
		"a.": {rules: []TransferRule{{From: netip.MustParsePrefix("192.0.2.0/24")}, {From: netip.MustParsePrefix("0.0.0.0/0")}}},
		"b.": {rules: []TransferRule{{From: netip.MustParsePrefix("198.51.100.0/24"), Key: "k."}},
			Secondaries: []Secondary{{Addr: netip.MustParseAddrPort("203.0.113.5:53")}}},
	}
	p := newPeers(zones)
	tests := []struct {
		addr, key         string
		admitted, trusted bool
	}{
		{"192.0.2.9", "", true, true},
		{"10.1.1.1", "", false, false}, // 0.0.0.0/0 admits transfers but trusts no one
		{"198.51.100.7", "", false, false},
		{"198.51.100.7", "k.", true, false},
		{"10.1.1.1", "k.", false, false},
		{"203.0.113.5", "", false, true}, // a secondary: kept a slot, still rate-limited
	}
	for _, tt := range tests {
		a := netip.MustParseAddr(tt.addr)
		if got := p.admitted(a, tt.key); got != tt.admitted {
			t.Errorf("admitted(%s, %q) = %v, want %v", tt.addr, tt.key, got, tt.admitted)
		}
		if got := p.trusted(a); got != tt.trusted {
			t.Errorf("trusted(%s) = %v, want %v", tt.addr, got, tt.trusted)
		}
	}
}
