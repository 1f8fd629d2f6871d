package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// TLSOptions are how a check that speaks TLS (SMTP or IMAP with STARTTLS
// or implicit TLS, and the TLS check) makes and judges its handshake.
type TLSOptions struct {
	// Host is sent as the TLS server name (SNI) and is the name the
	// certificate is verified against. Empty means the probed address,
	// which then must be in the certificate.
	Host string
	// InsecureSkipVerify skips certificate verification; expiry is still
	// judged against MinValid.
	InsecureSkipVerify bool
	// RootCAs are the authorities trusted; nil means the system's.
	RootCAs *x509.CertPool
	// MinValid fails the check when a certificate the server sends
	// expires within this long (0: only an expired one fails, and that
	// through verification).
	MinValid time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// validate checks Host (a name or address without a port) and MinValid;
// the error is a *FieldError.
func (o *TLSOptions) validate() error {
	if err := validateHost(o.Host); err != nil {
		return &FieldError{Field: "Host", Err: err}
	}
	if hostName(o.Host) != o.Host {
		return &FieldError{Field: "Host", Err: fmt.Errorf("%q has a port: the TLS server name is a name alone", o.Host)}
	}
	if o.MinValid < 0 {
		return &FieldError{Field: "MinValid", Err: errors.New("must not be negative")}
	}
	return nil
}

func (o *TLSOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// config builds the client configuration for a handshake with addr.
func (o *TLSOptions) config(addr netip.Addr) *tls.Config {
	name := o.Host
	if name == "" {
		name = addr.Unmap().String()
	}
	return &tls.Config{
		ServerName:         name,
		InsecureSkipVerify: o.InsecureSkipVerify,
		RootCAs:            o.RootCAs,
		MinVersion:         tls.VersionTLS12,
		Time:               o.Now,
	}
}

// judge decides a completed handshake by the certificates the server sent:
// the one that expires first must be valid for at least MinValid more.
// The reason tells the TLS version and how long that certificate is valid.
func (o *TLSOptions) judge(cs tls.ConnectionState) (bool, string) {
	if len(cs.PeerCertificates) == 0 {
		return false, "TLS: the server sent no certificate"
	}
	first := cs.PeerCertificates[0]
	for _, c := range cs.PeerCertificates[1:] {
		if c.NotAfter.Before(first.NotAfter) {
			first = c
		}
	}
	version := tls.VersionName(cs.Version)
	left := first.NotAfter.Sub(o.now())
	until := first.NotAfter.UTC().Format("2006-01-02 15:04 UTC")
	switch {
	case left <= 0:
		return false, fmt.Sprintf("%s, certificate %q expired %s ago (%s)", version, first.Subject.CommonName, roughly(-left), until)
	case o.MinValid > 0 && left < o.MinValid:
		return false, fmt.Sprintf("%s, certificate %q expires in %s (%s), want at least %s", version, first.Subject.CommonName, roughly(left), until, roughly(o.MinValid))
	}
	return true, fmt.Sprintf("%s, certificate valid %s more", version, roughly(left))
}

// roughly formats a duration for a person: whole days from two days up,
// else hours and minutes ("23h59m", "5h"), else minutes, else seconds.
func roughly(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	case d >= time.Hour && d%time.Hour < time.Minute:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	case d >= time.Hour:
		return fmt.Sprintf("%dh%dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	}
	return d.Truncate(time.Second).String()
}

// upgrade runs a TLS handshake over conn, bounded by ctx.
func (o *TLSOptions) upgrade(ctx context.Context, conn net.Conn, addr netip.Addr) (*tls.Conn, error) {
	tc := tls.Client(conn, o.config(addr))
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	return tc, nil
}

// secure runs the TLS handshake over conn and judges the certificates. It
// returns the TLS connection and the judgement's note, or a reason for
// the failure (without the protocol's name).
func secure(ctx context.Context, start time.Time, o *TLSOptions, conn net.Conn, addr netip.Addr) (net.Conn, string, string) {
	tc, err := o.upgrade(ctx, conn, addr)
	if err != nil {
		return nil, "", stepFailure(ctx, start, "TLS handshake", err)
	}
	ok, note := o.judge(tc.ConnectionState())
	if !ok {
		return nil, "", note
	}
	return tc, note, ""
}
