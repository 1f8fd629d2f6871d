package probe

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"time"
)

// DefaultURL is the URL template used when HTTP.URL is empty.
const DefaultURL = "http://{addr}/index.html"

// DefaultMaxBody is the body cap used when HTTP.MaxBody is 0.
const DefaultMaxBody = 64 << 10

// HTTP checks a server with one GET request over a fresh connection.
// Redirects are not followed: a 301 is judged against ExpectStatus like any
// other status.
type HTTP struct {
	// URL is a template: "{addr}" is replaced by the probed address
	// (bracketed if IPv6) and must be the URL's host. Empty means DefaultURL.
	URL string
	// Host is sent as the Host header and used as the TLS server name (SNI)
	// and the name the certificate is verified against. Empty means the
	// address itself.
	Host string
	// ExpectStatus lists the accepted status codes; empty accepts any 2xx.
	ExpectStatus []int
	// BodyContains, if set, is a substring the body must contain within its
	// first MaxBody bytes.
	BodyContains string
	// InsecureSkipVerify skips TLS certificate verification.
	InsecureSkipVerify bool
	// RootCAs are the authorities trusted for HTTPS; nil means the system's.
	RootCAs *x509.CertPool
	// MaxBody caps the body bytes read; 0 means DefaultMaxBody.
	MaxBody int64
	// Source, if valid, is the local address the probe binds.
	Source netip.Addr
}

// Probe runs the check against addr. See Prober for the contract.
func (h *HTTP) Probe(ctx context.Context, addr netip.Addr) Result {
	start := time.Now()
	done := func(ok bool, reason string) Result {
		return Result{OK: ok, Latency: time.Since(start), Reason: reason}
	}
	if err := h.Validate(); err != nil {
		return done(false, "invalid probe: "+err.Error())
	}
	if err := checkAddrs(h.Source, addr); err != nil {
		return done(false, "invalid probe: "+err.Error())
	}
	target, err := expandURL(h.urlTemplate(), addr)
	if err != nil {
		return done(false, "invalid probe: "+err.Error())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return done(false, fmt.Sprintf("build request: %v", unwrapURLError(err)))
	}
	if h.Host != "" {
		req.Host = h.Host
	}
	req.Header.Set("User-Agent", "zonerw-probe")

	client, transport := h.newClient()
	defer transport.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		return done(false, failureReason(ctx, start, err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, h.maxBody()))
	if err != nil {
		return done(false, failureReason(ctx, start, err)+" (reading body)")
	}
	ok, reason := h.judge(resp.StatusCode, body)
	return done(ok, reason)
}

func (h *HTTP) urlTemplate() string {
	if h.URL == "" {
		return DefaultURL
	}
	return h.URL
}

func (h *HTTP) maxBody() int64 {
	if h.MaxBody == 0 {
		return DefaultMaxBody
	}
	return h.MaxBody
}
