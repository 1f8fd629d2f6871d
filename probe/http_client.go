package probe

import (
	"crypto/tls"
	"net"
	"net/http"
)

// maxHeaderBytes caps the response headers a probe accepts.
const maxHeaderBytes = 64 << 10

// newClient builds a client for a single probe. Each probe gets its own
// transport with keep-alives off, so a connection is never reused: a dead
// server cannot look alive through a pooled connection. There is no proxy
// (the address is dialled directly) and redirects are not followed.
func (h *HTTP) newClient() (*http.Client, *http.Transport) {
	transport := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer(h.Source, "tcp").DialContext,
		TLSClientConfig:        h.tlsConfig(),
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: maxHeaderBytes,
	}
	client := &http.Client{
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return client, transport
}

// tlsConfig sends Host as the server name (SNI) and verifies the
// certificate against it. With no Host the transport uses the address.
func (h *HTTP) tlsConfig() *tls.Config {
	return &tls.Config{
		ServerName:         hostName(h.Host),
		InsecureSkipVerify: h.InsecureSkipVerify,
		RootCAs:            h.RootCAs,
		MinVersion:         tls.VersionTLS12,
	}
}

// hostName drops an optional port from a Host value: "www.example.com:8443"
// gives "www.example.com", and "[2001:db8::1]:443" gives "2001:db8::1".
func hostName(host string) string {
	if name, _, err := net.SplitHostPort(host); err == nil {
		return name
	}
	return host
}
