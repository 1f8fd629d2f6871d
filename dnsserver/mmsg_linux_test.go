//go:build linux

package dnsserver

import (
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSockaddrRoundTrip: a peer written as a sockaddr for a socket of
// either family reads back as the same address, port and scope.
func TestSockaddrRoundTrip(t *testing.T) {
	cases := []struct {
		peer  string
		scope uint32
		v6    bool
		want  string
	}{
		{"192.0.2.1:53", 0, false, "192.0.2.1:53"},
		{"[::ffff:192.0.2.1]:65535", 0, false, "192.0.2.1:65535"},
		{"[2001:db8::1]:5353", 0, true, "[2001:db8::1]:5353"},
		{"[::ffff:127.0.0.1]:1", 0, true, "[::ffff:127.0.0.1]:1"},
		{"[fe80::1]:53", 3, true, "[fe80::1]:53"},
	}
	for _, c := range cases {
		var sa unix.RawSockaddrInet6
		n := putSockaddr(&sa, netip.MustParseAddrPort(c.peer), c.scope, c.v6)
		wantLen := uint32(16)
		if c.v6 {
			wantLen = 28
		}
		got, scope := sockaddrPeer(&sa)
		if got.String() != c.want || scope != c.scope || n != wantLen {
			t.Errorf("%s (v6 socket %v): read back %s scope %d length %d, want %s scope %d length %d", c.peer, c.v6, got, scope, n, c.want, c.scope, wantLen)
		}
	}
}
