package importer

import (
	"fmt"
	"net/netip"
	"testing"
)

func TestParseIPSpec(t *testing.T) {
	tests := []struct{ in, want string }{
		{"192.0.2.1", "[192.0.2.1/32]"},
		{"2001:db8::1", "[2001:db8::1/128]"},
		{"192.0.2.77/24", "[192.0.2.0/24]"},
		{"192.0.2.77&255.255.255.0", "[192.0.2.0/24]"},
		{"192.0.2.4-192.0.2.25", "[192.0.2.4/30 192.0.2.8/29 192.0.2.16/29 192.0.2.24/31]"},
		{"0.0.0.0-255.255.255.255", "[0.0.0.0/0]"},
		{"192.0.2.255-192.0.3.0", "[192.0.2.255/32 192.0.3.0/32]"},
		{"2001:db8::-2001:db8::ffff", "[2001:db8::/112]"},
		{"192.0.2.9-192.0.2.1", "error"},
		{"192.0.2.1&255.0.255.0", "error"},
		{"fe80::1%eth0", "error"},
		{"nonsense", "error"},
	}
	for _, tt := range tests {
		got, err := parseIPSpec(tt.in)
		s := fmt.Sprint(got)
		if err != nil {
			s = "error"
		}
		if s != tt.want {
			t.Errorf("parseIPSpec(%q) = %s (%v), want %s", tt.in, s, err, tt.want)
		}
	}
}

func TestSubtract(t *testing.T) {
	p := netip.MustParsePrefix
	tests := []struct {
		a, b string
		want string
	}{
		{"192.0.2.0/24", "198.51.100.0/24", "[192.0.2.0/24]"},
		{"192.0.2.0/24", "192.0.0.0/16", "[]"},
		{"192.0.2.0/24", "192.0.2.0/24", "[]"},
		{"192.0.2.0/24", "192.0.2.128/25", "[192.0.2.0/25]"},
		{"192.0.2.0/24", "192.0.2.5/32", "[192.0.2.0/30 192.0.2.4/32 192.0.2.6/31 192.0.2.8/29 192.0.2.16/28 192.0.2.32/27 192.0.2.64/26 192.0.2.128/25]"},
		{"::/0", "8000::/1", "[::/1]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(subtract(p(tt.a), p(tt.b))); got != tt.want {
			t.Errorf("subtract(%s, %s) = %s, want %s", tt.a, tt.b, got, tt.want)
		}
	}
}
