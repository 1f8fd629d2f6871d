package probe

import (
	"crypto/tls"
	"net"
	"testing"
	"time"
)

// startHandshakeServer completes TLS handshakes with cert on 127.0.0.1:0 and
// then closes each connection.
func startHandshakeServer(t *testing.T, cert tls.Certificate) *fakeServer {
	t.Helper()
	return startFake(t, &cert, func(c *textConn) { c.startTLS() })
}

func TestTLSHandshake(t *testing.T) {
	tomorrow := newTestPKIUntil(t, time.Now().Add(24*time.Hour), "www.example.com")
	expired := newTestPKIUntil(t, time.Now().Add(-time.Hour), "www.example.com")
	in90d := newTestPKIUntil(t, time.Now().Add(90*24*time.Hour), "www.example.com")
	tests := []struct {
		name       string
		pki        testPKI
		opts       TLSOptions
		wantOK     bool
		wantReason string
	}{
		{"valid, no minimum", tomorrow, TLSOptions{Host: "www.example.com", RootCAs: tomorrow.pool},
			true, "TLS 1.3, certificate valid 23h5"},
		{"expires tomorrow, want 2 days", tomorrow, TLSOptions{Host: "www.example.com", RootCAs: tomorrow.pool, MinValid: 48 * time.Hour},
			false, `TLS 1.3, certificate "www.example.com" expires in 23h5`},
		{"expires tomorrow, want 12h", tomorrow, TLSOptions{Host: "www.example.com", RootCAs: tomorrow.pool, MinValid: 12 * time.Hour},
			true, "TLS 1.3, certificate valid 23h5"},
		{"90 days left", in90d, TLSOptions{Host: "www.example.com", RootCAs: in90d.pool, MinValid: 30 * 24 * time.Hour},
			true, "TLS 1.3, certificate valid 89d more"},
		{"expired", expired, TLSOptions{Host: "www.example.com", RootCAs: expired.pool},
			false, "TLS handshake: tls: certificate not trusted: x509: certificate has expired or is not yet valid"},
		{"expired, verification off", expired, TLSOptions{Host: "www.example.com", InsecureSkipVerify: true},
			false, `TLS 1.3, certificate "www.example.com" expired 1h ago (`},
		{"wrong name", tomorrow, TLSOptions{Host: "example.org", RootCAs: tomorrow.pool},
			false, "TLS handshake: tls: certificate not trusted: x509: certificate is valid for www.example.com, not example.org"},
		{"no name: the address must be in the certificate", tomorrow, TLSOptions{RootCAs: tomorrow.pool},
			false, "TLS handshake: tls: certificate not trusted: x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs"},
		{"clock a day on", tomorrow, TLSOptions{Host: "www.example.com", InsecureSkipVerify: true, Now: func() time.Time { return time.Now().Add(25 * time.Hour) }},
			false, `TLS 1.3, certificate "www.example.com" expired 1h ago`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startHandshakeServer(t, tt.pki.leaf)
			p := &TLSHandshake{Port: srv.port(), TLS: tt.opts}
			got := p.Probe(testCtx(t), listenerAddr(t, srv.ln).Addr())
			checkResult(t, got, tt.wantOK, tt.wantReason)
			if s := srv.last(); tt.opts.Host != "" && s.sni != tt.opts.Host {
				t.Errorf("SNI %q, want %q", s.sni, tt.opts.Host)
			}
		})
	}
}

func TestTLSHandshakeRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ap := listenerAddr(t, l)
	l.Close()
	got := (&TLSHandshake{Port: ap.Port()}).Probe(testCtx(t), ap.Addr())
	checkResult(t, got, false, "connect: connection refused")
}

func TestRoughly(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second:                "30s",
		90 * time.Second:                "1m",
		5 * time.Hour:                   "5h",
		23*time.Hour + 59*time.Minute:   "23h59m",
		47*time.Hour + 59*time.Minute:   "47h59m",
		48 * time.Hour:                  "2d",
		89*24*time.Hour + 23*time.Hour:  "89d",
		1500 * time.Millisecond:         "1s",
		time.Hour + 30*time.Second:      "1h",
		time.Hour + time.Minute + 5e8:   "1h1m",
		24*time.Hour - time.Nanosecond:  "23h59m",
		24 * time.Hour:                  "24h",
		24*time.Hour + 59*time.Second:   "24h",
		2*time.Hour + 2*time.Minute + 1: "2h2m",
	} {
		if got := roughly(d); got != want {
			t.Errorf("roughly(%v) = %q, want %q", d, got, want)
		}
	}
}
