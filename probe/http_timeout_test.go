package probe

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// probeTimeout is the deadline given to probes against servers that hang.
// The outcome does not depend on it: those servers never answer.
const probeTimeout = 200 * time.Millisecond

// hangingServer runs start for each request, then holds the request until
// its context ends, which is when the client's connection closes, and
// reports that on the returned channel.
func hangingServer(t *testing.T, start func(w http.ResponseWriter)) (netip.AddrPort, <-chan struct{}) {
	t.Helper()
	released := make(chan struct{}, 1)
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start(w)
		<-r.Context().Done()
		released <- struct{}{}
	}))
	return listenerAddr(t, srv.Listener), released
}

func TestHTTPTimeoutAgainstHangingServer(t *testing.T) {
	tests := []struct {
		name       string
		start      func(w http.ResponseWriter)
		wantSuffix string
	}{
		{
			name:  "no headers",
			start: func(http.ResponseWriter) {},
		},
		{
			name: "headers then part of the body",
			start: func(w http.ResponseWriter) {
				w.WriteHeader(http.StatusOK)
				_, _ = io.WriteString(w, "partial ")
				w.(http.Flusher).Flush()
			},
			wantSuffix: " (reading body)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ap, released := hangingServer(t, tt.start)
			h := &HTTP{URL: urlFor("http", ap, "/"), BodyContains: "ok"}
			ctx, cancel := context.WithTimeout(t.Context(), probeTimeout)
			defer cancel()
			got := h.Probe(ctx, ap.Addr())
			checkResult(t, got, false, "timeout after ")
			if !strings.HasSuffix(got.Reason, tt.wantSuffix) {
				t.Errorf("Reason %q lacks suffix %q", got.Reason, tt.wantSuffix)
			}
			if ctx.Err() == nil {
				t.Errorf("probe returned %q before its context ended", got.Reason)
			}
			waitFor(t, released, "the server to see the probe's connection end")
		})
	}
}

// TestHTTPSTimeoutInHandshake accepts connections and never speaks TLS.
func TestHTTPSTimeoutInHandshake(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { _ = l.Close() })
	peerClosed := make(chan struct{})
	go func() {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		// Read the ClientHello and whatever follows until the probe hangs up.
		_, _ = io.Copy(io.Discard, conn)
		close(peerClosed)
	}()
	ap := listenerAddr(t, l)
	h := &HTTP{URL: urlFor("https", ap, "/"), Host: "www.example.com"}
	ctx, cancel := context.WithTimeout(t.Context(), probeTimeout)
	defer cancel()
	checkResult(t, h.Probe(ctx, ap.Addr()), false, "timeout after ")
	waitFor(t, peerClosed, "the probe to close its connection")
}

func TestHTTPContextAlreadyEnded(t *testing.T) {
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request reached the server through an ended context")
	}))
	ap := listenerAddr(t, srv.Listener)
	h := &HTTP{URL: urlFor("http", ap, "/")}

	expired, cancelExpired := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancelExpired()
	checkResult(t, h.Probe(expired, ap.Addr()), false, "timeout after ")

	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	checkResult(t, h.Probe(canceled, ap.Addr()), false, "canceled after ")
}
