package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"time"
)

// SMTP checks a mail server as a sending server meets it (RFC 5321): it
// reads the greeting and says EHLO; with StartTLS it then upgrades the
// connection (RFC 3207) and says EHLO again over TLS. Every reply must be
// positive (2xx or 3xx). It ends with QUIT; no mail is sent.
type SMTP struct {
	// Port is the port to connect to, 1-65535 (25, 587, or 465 with
	// ImplicitTLS).
	Port uint16
	// EHLO is the name this checker gives in EHLO. Empty means the
	// connection's own address as an address literal ("[192.0.2.5]").
	EHLO string
	// StartTLS upgrades the connection after the first EHLO; the server
	// must offer STARTTLS.
	StartTLS bool
	// ImplicitTLS speaks TLS from the first byte (port 465, RFC 8314).
	ImplicitTLS bool
	// TLS says how the handshake is made and judged.
	TLS TLSOptions
	// Source, if valid, is the local address the probe binds.
	Source netip.Addr
}

// ehloName is what EHLO may carry: a domain name or an address literal.
var ehloName = regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[(?:IPv6:)?[0-9A-Fa-f:.]+\])$`)

// Validate checks the settings at config time; the error is a *FieldError.
func (s *SMTP) Validate() error {
	if s.Port == 0 {
		return &FieldError{Field: "Port", Err: errors.New("port 0 is not in 1-65535")}
	}
	if s.StartTLS && s.ImplicitTLS {
		return &FieldError{Field: "StartTLS", Err: errors.New("starttls and implicit TLS exclude each other")}
	}
	if s.EHLO != "" && (len(s.EHLO) > 255 || !ehloName.MatchString(s.EHLO)) {
		return &FieldError{Field: "EHLO", Err: fmt.Errorf("%q is not a domain name or address literal", s.EHLO)}
	}
	return s.TLS.validate()
}

// Probe runs the check against addr. See Prober for the contract.
func (s *SMTP) Probe(ctx context.Context, addr netip.Addr) Result {
	start := time.Now()
	done := func(ok bool, reason string) Result {
		return Result{OK: ok, Latency: time.Since(start), Reason: reason}
	}
	if err := s.Validate(); err != nil {
		return done(false, "invalid probe: "+err.Error())
	}
	if err := checkAddrs(s.Source, addr); err != nil {
		return done(false, "invalid probe: "+err.Error())
	}
	conn, stop, err := dialConn(ctx, s.Source, addr, s.Port)
	if err != nil {
		return done(false, failureReason(ctx, start, err))
	}
	defer stop()
	ok, reason := s.converse(ctx, start, conn, addr)
	return done(ok, reason)
}

// converse holds the SMTP conversation on an open connection.
func (s *SMTP) converse(ctx context.Context, start time.Time, conn net.Conn, addr netip.Addr) (bool, string) {
	over := ""
	if s.ImplicitTLS {
		tc, note, reason := secure(ctx, start, &s.TLS, conn, addr)
		if reason != "" {
			return false, "SMTP, " + reason
		}
		conn, over = tc, " over TLS ("+note+")"
	}
	lc := newLineConn(conn)
	greeting, err := readSMTPReply(lc)
	if err != nil {
		return false, stepFailure(ctx, start, "reading the SMTP greeting", err)
	}
	if !greeting.positive() {
		_ = lc.writeLine("QUIT")
		return false, "SMTP greeting " + greeting.String()
	}
	ehlo, reason := s.ehlo(ctx, start, lc)
	if reason != "" {
		return false, reason
	}
	if s.StartTLS {
		var note string
		if lc, note, reason = s.startTLS(ctx, start, lc, ehlo, addr); reason != "" {
			return false, reason
		}
		// RFC 3207: the client forgets what it knew and says EHLO again.
		if ehlo, reason = s.ehlo(ctx, start, lc); reason != "" {
			return false, reason + " (after STARTTLS)"
		}
		over = " over STARTTLS (" + note + ")"
	}
	_ = lc.writeLine("QUIT")
	return true, fmt.Sprintf("SMTP %d after EHLO%s", ehlo.code, over)
}

// ehlo says EHLO and reads the reply; a non-empty reason is a failure.
func (s *SMTP) ehlo(ctx context.Context, start time.Time, lc *lineConn) (smtpReply, string) {
	if err := lc.writeLine("EHLO " + s.ehloName(lc.conn)); err != nil {
		return smtpReply{}, stepFailure(ctx, start, "sending EHLO", err)
	}
	r, err := readSMTPReply(lc)
	if err != nil {
		return r, stepFailure(ctx, start, "reading the EHLO reply", err)
	}
	if !r.positive() {
		_ = lc.writeLine("QUIT") // a refusal is an answer: leave politely
		return r, "SMTP EHLO " + r.String()
	}
	return r, ""
}

// startTLS asks for TLS and upgrades the connection; it returns the line
// reader over TLS and the handshake's note.
func (s *SMTP) startTLS(ctx context.Context, start time.Time, lc *lineConn, ehlo smtpReply, addr netip.Addr) (*lineConn, string, string) {
	if !ehlo.offers("STARTTLS") {
		return nil, "", "SMTP server does not offer STARTTLS"
	}
	if err := lc.writeLine("STARTTLS"); err != nil {
		return nil, "", stepFailure(ctx, start, "sending STARTTLS", err)
	}
	r, err := readSMTPReply(lc)
	if err != nil {
		return nil, "", stepFailure(ctx, start, "reading the STARTTLS reply", err)
	}
	if !r.positive() {
		_ = lc.writeLine("QUIT")
		return nil, "", "SMTP STARTTLS " + r.String()
	}
	if err := lc.drained(); err != nil {
		return nil, "", "SMTP STARTTLS: " + err.Error()
	}
	tc, note, reason := secure(ctx, start, &s.TLS, lc.conn, addr)
	if reason != "" {
		return nil, "", "SMTP STARTTLS, " + reason
	}
	return newLineConn(tc), note, ""
}

// ehloName is s.EHLO, or the connection's local address as a literal.
func (s *SMTP) ehloName(conn net.Conn) string {
	if s.EHLO != "" {
		return s.EHLO
	}
	ap, err := netip.ParseAddrPort(conn.LocalAddr().String())
	if err != nil {
		return "localhost"
	}
	if a := ap.Addr().Unmap(); a.Is6() {
		return "[IPv6:" + a.String() + "]"
	}
	return "[" + ap.Addr().Unmap().String() + "]"
}
