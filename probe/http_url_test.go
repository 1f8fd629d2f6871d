package probe

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestExpandURL(t *testing.T) {
	tests := []struct {
		name     string
		template string
		addr     string
		want     string
	}{
		{"default IPv4", DefaultURL, "192.0.2.10", "http://192.0.2.10/index.html"},
		{"default IPv6 bracketed", DefaultURL, "2001:db8::1", "http://[2001:db8::1]/index.html"},
		{"IPv6 with port", "https://{addr}:8443/health", "2001:db8::1", "https://[2001:db8::1]:8443/health"},
		{"IPv6 zone escaped", "http://{addr}/", "fe80::1%eth0", "http://[fe80::1%25eth0]/"},
		{"IPv4-mapped unmapped", "http://{addr}/", "::ffff:192.0.2.10", "http://192.0.2.10/"},
		{"every marker replaced", "http://{addr}/?for={addr}", "192.0.2.10", "http://192.0.2.10/?for=192.0.2.10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expandURL(tt.template, netip.MustParseAddr(tt.addr))
			if err != nil || got != tt.want {
				t.Errorf("expandURL(%q, %s) = %q, %v; want %q", tt.template, tt.addr, got, err, tt.want)
			}
		})
	}
}

func TestHTTPEmptyURLUsesDefault(t *testing.T) {
	if got := (&HTTP{}).urlTemplate(); got != DefaultURL {
		t.Errorf("empty URL gives template %q, want %q", got, DefaultURL)
	}
}

func TestHTTPInvalidAddress(t *testing.T) {
	got := (&HTTP{}).Probe(testCtx(t), netip.Addr{})
	checkResult(t, got, false, "invalid probe: no address to probe")
}

// TestHTTPOverIPv6Loopback probes a server on [::1] through the bracketed URL.
func TestHTTPOverIPv6Loopback(t *testing.T) {
	l, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("IPv6 loopback ::1 is not available on this machine: %v", err)
	}
	seen := make(chan string, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Host
	}))
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	ap := listenerAddr(t, l)
	h := &HTTP{URL: urlFor("http", ap, "/")}
	checkResult(t, h.Probe(testCtx(t), ap.Addr()), true, "HTTP 200")
	if got, want := <-seen, ap.String(); got != want {
		t.Errorf("server saw Host %q, want %q", got, want)
	}
}
