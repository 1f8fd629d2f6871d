package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// IMAP checks a mail store (RFC 9051): it reads the greeting, which must
// be "* OK" (or "* PREAUTH"). With StartTLS it then upgrades the
// connection and asks for CAPABILITY over TLS; with ImplicitTLS it speaks
// TLS from the first byte (port 993). It ends with LOGOUT; it never logs in.
type IMAP struct {
	// Port is the port to connect to, 1-65535 (143, or 993 with
	// ImplicitTLS).
	Port uint16
	// StartTLS upgrades the connection after the greeting.
	StartTLS bool
	// ImplicitTLS speaks TLS from the first byte.
	ImplicitTLS bool
	// TLS says how the handshake is made and judged.
	TLS TLSOptions
	// Source, if valid, is the local address the probe binds.
	Source netip.Addr
}

// Validate checks the settings at config time; the error is a *FieldError.
func (m *IMAP) Validate() error {
	if m.Port == 0 {
		return &FieldError{Field: "Port", Err: errors.New("port 0 is not in 1-65535")}
	}
	if m.StartTLS && m.ImplicitTLS {
		return &FieldError{Field: "StartTLS", Err: errors.New("starttls and implicit TLS exclude each other")}
	}
	return m.TLS.validate()
}

// Probe runs the check against addr. See Prober for the contract.
func (m *IMAP) Probe(ctx context.Context, addr netip.Addr) Result {
	start := time.Now()
	done := func(ok bool, reason string) Result {
		return Result{OK: ok, Latency: time.Since(start), Reason: reason}
	}
	if err := m.Validate(); err != nil {
		return done(false, "invalid probe: "+err.Error())
	}
	if err := checkAddrs(m.Source, addr); err != nil {
		return done(false, "invalid probe: "+err.Error())
	}
	conn, stop, err := dialConn(ctx, m.Source, addr, m.Port)
	if err != nil {
		return done(false, failureReason(ctx, start, err))
	}
	defer stop()
	ok, reason := m.converse(ctx, start, conn, addr)
	return done(ok, reason)
}

// converse holds the IMAP conversation on an open connection.
func (m *IMAP) converse(ctx context.Context, start time.Time, conn net.Conn, addr netip.Addr) (bool, string) {
	over := ""
	if m.ImplicitTLS {
		tc, note, reason := secure(ctx, start, &m.TLS, conn, addr)
		if reason != "" {
			return false, "IMAP, " + reason
		}
		conn, over = tc, " over TLS ("+note+")"
	}
	lc := newLineConn(conn)
	line, err := lc.readLine()
	if err != nil {
		return false, stepFailure(ctx, start, "reading the IMAP greeting", err)
	}
	status := greetingStatus(line)
	switch {
	case status == "BYE":
		return false, "IMAP greeting " + printable(line)
	case status != "OK" && status != "PREAUTH":
		return false, fmt.Sprintf("IMAP greeting not understood: %q", printable(line))
	case m.StartTLS && status == "PREAUTH":
		return false, "IMAP greeting is PREAUTH, so STARTTLS is not allowed"
	}
	if m.StartTLS {
		var note, reason string
		if lc, note, reason = m.startTLS(ctx, start, lc, addr); reason != "" {
			return false, reason
		}
		over = " over STARTTLS (" + note + ")"
	}
	_ = lc.writeLine("z9 LOGOUT")
	return true, "IMAP " + status + " greeting" + over
}

// greetingStatus is the condition of an untagged greeting ("* OK [..]
// ready" gives "OK"), or "" when line is not one.
func greetingStatus(line string) string {
	f := strings.Fields(line)
	if len(f) < 2 || f[0] != "*" {
		return ""
	}
	return strings.ToUpper(f[1])
}

// startTLS asks for TLS, upgrades the connection and asks for CAPABILITY
// over it, so the server is seen to speak IMAP over TLS.
func (m *IMAP) startTLS(ctx context.Context, start time.Time, lc *lineConn, addr netip.Addr) (*lineConn, string, string) {
	if reason := imapCommand(ctx, start, lc, "z1", "STARTTLS"); reason != "" {
		return nil, "", reason
	}
	if err := lc.drained(); err != nil {
		return nil, "", "IMAP STARTTLS: " + err.Error()
	}
	tc, note, reason := secure(ctx, start, &m.TLS, lc.conn, addr)
	if reason != "" {
		return nil, "", "IMAP STARTTLS, " + reason
	}
	up := newLineConn(tc)
	if reason := imapCommand(ctx, start, up, "z2", "CAPABILITY"); reason != "" {
		return nil, "", reason + " (after STARTTLS)"
	}
	return up, note, ""
}

// imapCommand sends a command and reads up to its tagged reply, which must
// be OK; untagged lines before it are skipped. A non-empty result is the
// reason the command failed.
func imapCommand(ctx context.Context, start time.Time, lc *lineConn, tag, command string) string {
	if err := lc.writeLine(tag + " " + command); err != nil {
		return stepFailure(ctx, start, "sending "+command, err)
	}
	for range maxReplyLines {
		line, err := lc.readLine()
		if err != nil {
			return stepFailure(ctx, start, "reading the "+command+" reply", err)
		}
		rest, tagged := strings.CutPrefix(line, tag+" ")
		if !tagged {
			continue
		}
		if f := strings.Fields(rest); len(f) > 0 && strings.EqualFold(f[0], "OK") {
			return ""
		}
		return "IMAP " + command + " " + printable(rest)
	}
	return fmt.Sprintf("IMAP %s: no tagged reply in %d lines", command, maxReplyLines)
}
