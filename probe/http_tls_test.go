package probe

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

// tlsServer serves HTTPS on 127.0.0.1 with a certificate for
// www.example.com and example.com only, and records the server name (SNI)
// and Host header of each request.
type tlsServer struct {
	ap    netip.AddrPort
	pool  *x509.CertPool
	sni   chan string
	hosts chan string
}

func startTLSServer(t *testing.T) *tlsServer {
	t.Helper()
	pki := newTestPKI(t, "www.example.com", "example.com")
	ts := &tlsServer{pool: pki.pool, sni: make(chan string, 1), hosts: make(chan string, 1)}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.hosts <- r.Host
	}))
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{pki.leaf},
		GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			ts.sni <- hello.ServerName
			return nil, nil
		},
	}
	// The failing cases make the server log handshake errors; they are expected.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ts.ap = listenerAddr(t, srv.Listener)
	return ts
}

func TestHTTPSServerNameAndVerification(t *testing.T) {
	tests := []struct {
		name       string
		host       string
		trustCA    bool
		insecure   bool
		wantOK     bool
		wantReason string
		wantSNI    string
	}{
		{"name in certificate", "www.example.com", true, false, true, "HTTP 200", "www.example.com"},
		{"other name in certificate", "example.com", true, false, true, "HTTP 200", "example.com"},
		{"port dropped from SNI", "www.example.com:8443", true, false, true, "HTTP 200", "www.example.com"},
		{"name not in certificate", "other.example.net", true, false, false,
			"tls: certificate not trusted: x509: certificate is valid for www.example.com, example.com, not other.example.net", "other.example.net"},
		{"no host: address is not in certificate", "", true, false, false,
			"tls: certificate not trusted: x509: cannot validate certificate for 127.0.0.1", ""},
		{"unknown authority", "www.example.com", false, false, false,
			"tls: certificate not trusted: x509: certificate signed by unknown authority", "www.example.com"},
		{"insecure skips name check", "other.example.net", true, true, true, "HTTP 200", "other.example.net"},
		{"insecure skips authority check", "www.example.com", false, true, true, "HTTP 200", "www.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startTLSServer(t)
			h := &HTTP{URL: urlFor("https", ts.ap, "/"), Host: tt.host, InsecureSkipVerify: tt.insecure}
			if tt.trustCA {
				h.RootCAs = ts.pool
			}
			checkResult(t, h.Probe(testCtx(t), ts.ap.Addr()), tt.wantOK, tt.wantReason)
			if got := <-ts.sni; got != tt.wantSNI {
				t.Errorf("server saw SNI %q, want %q", got, tt.wantSNI)
			}
			if !tt.wantOK {
				return
			}
			wantHost := tt.host
			if wantHost == "" {
				wantHost = ts.ap.String()
			}
			if got := <-ts.hosts; got != wantHost {
				t.Errorf("server saw Host %q, want %q", got, wantHost)
			}
		})
	}
}
