package probe

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"
)

func TestTCP(t *testing.T) {
	open, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { _ = open.Close() })
	openAP := listenerAddr(t, open)

	// A port that was just released has nobody listening on it.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	closedAP := listenerAddr(t, closed)
	if err := closed.Close(); err != nil {
		t.Fatalf("close listener: %v", err)
	}

	expired, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	t.Cleanup(cancel)

	tests := []struct {
		name       string
		ctx        context.Context
		addr       netip.Addr
		port       uint16
		wantOK     bool
		wantReason string
	}{
		{"open port", testCtx(t), openAP.Addr(), openAP.Port(), true,
			"TCP port " + strconv.Itoa(int(openAP.Port())) + " open"},
		{"IPv4-mapped address", testCtx(t), netip.AddrFrom16(openAP.Addr().As16()), openAP.Port(), true, "TCP port "},
		{"closed port", testCtx(t), closedAP.Addr(), closedAP.Port(), false, "connect: connection refused"},
		{"deadline passed", expired, openAP.Addr(), openAP.Port(), false, "timeout after "},
		{"port zero", testCtx(t), openAP.Addr(), 0, false, "invalid probe: Port: port 0 is not in 1-65535"},
		{"no address", testCtx(t), netip.Addr{}, openAP.Port(), false, "invalid probe: no address to probe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := (&TCP{Port: tt.port}).Probe(tt.ctx, tt.addr)
			checkResult(t, got, tt.wantOK, tt.wantReason)
		})
	}
}

func TestHTTPConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ap := listenerAddr(t, l)
	if err := l.Close(); err != nil {
		t.Fatalf("close listener: %v", err)
	}
	h := &HTTP{URL: urlFor("http", ap, "/")}
	checkResult(t, h.Probe(testCtx(t), ap.Addr()), false, "connect: connection refused")
}
