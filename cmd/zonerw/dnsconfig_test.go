package main

import (
	"net/netip"
	"reflect"
	"testing"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/dnsserver"
)

func TestDNSZone(t *testing.T) {
	z := config.Zone{Name: "example.com", AllowTransfer: []config.TransferRule{
		{From: "127.0.0.1", Short: true}, {From: "10.0.0.0/8", Short: true},
		{From: "0.0.0.0/0", Key: "transfer"}, {Key: "other"},
	}, Secondaries: []config.Secondary{{Address: "127.0.0.2:53", Key: "transfer"}}}
	want := dnsserver.ZoneConfig{Name: "example.com",
		AllowTransfer: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8")},
		Transfer:      []dnsserver.TransferRule{{From: netip.MustParsePrefix("0.0.0.0/0"), Key: "transfer"}, {Key: "other"}},
		Secondaries:   []dnsserver.Secondary{{Addr: netip.MustParseAddrPort("127.0.0.2:53"), Key: "transfer"}},
	}
	if got := dnsZone(z); !reflect.DeepEqual(got, want) {
		t.Errorf("dnsZone\n got %+v\nwant %+v", got, want)
	}
	// The old form: addresses and transfer_keys, both needed.
	old := config.Zone{Name: "example.net", AllowTransfer: []config.TransferRule{{From: "192.0.2.0/24", Short: true}}, TransferKeys: []string{"transfer"}}
	if got := dnsZone(old); len(got.Transfer) != 0 || len(got.AllowTransfer) != 1 || !reflect.DeepEqual(got.TransferKeys, []string{"transfer"}) {
		t.Errorf("old form became %+v", got)
	}
}

func TestDNSLimits(t *testing.T) {
	tests := []struct {
		slip, want int
	}{{0, -1}, {1, 1}, {2, 2}}
	for _, tt := range tests {
		var dc dnsserver.Config
		dnsLimits(config.Server{RateLimit: 200, RateLimitSlip: tt.slip, Cookies: true, Identity: "ns1"}, &dc)
		if dc.Limits.RateLimitSlip != tt.want || dc.Limits.RateLimit != 200 || !dc.Limits.Cookies || dc.Limits.Identity != "ns1" {
			t.Errorf("slip %d: limits %+v", tt.slip, dc.Limits)
		}
	}
}
