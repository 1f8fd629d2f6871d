package probe

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// testTimeout bounds checks that are expected to finish; it only matters if
// the code under test hangs.
const testTimeout = 10 * time.Second

// testCtx returns a context that ends with the test or after testTimeout.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// startServer serves handler on 127.0.0.1 over plain HTTP.
func startServer(t *testing.T, handler http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return srv
}

// listenerAddr returns the address and port a listener is bound to.
func listenerAddr(t *testing.T, l net.Listener) netip.AddrPort {
	t.Helper()
	ap, err := netip.ParseAddrPort(l.Addr().String())
	if err != nil {
		t.Fatalf("parse listener address %q: %v", l.Addr(), err)
	}
	return ap
}

// urlFor builds a URL template that reaches the server's port at {addr}.
func urlFor(scheme string, ap netip.AddrPort, path string) string {
	return fmt.Sprintf("%s://{addr}:%d%s", scheme, ap.Port(), path)
}

// waitFor fails the test unless ch is closed or receives before the deadline.
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(testTimeout):
		t.Fatalf("gave up after %v waiting for %s", testTimeout, what)
	}
}

// checkResult compares a Result with the expected outcome and reason prefix.
func checkResult(t *testing.T, got Result, wantOK bool, wantReasonPrefix string) {
	t.Helper()
	t.Logf("result: %+v", got)
	if got.OK != wantOK || !strings.HasPrefix(got.Reason, wantReasonPrefix) {
		t.Errorf("got OK=%v Reason=%q, want OK=%v Reason starting %q", got.OK, got.Reason, wantOK, wantReasonPrefix)
	}
	if got.Latency < 0 {
		t.Errorf("negative latency %v", got.Latency)
	}
}
