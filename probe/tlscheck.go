package probe

import (
	"context"
	"errors"
	"net/netip"
	"time"
)

// TLSHandshake checks that a server completes a TLS handshake for Host
// with a certificate that verifies and does not expire within
// TLS.MinValid. Nothing is sent after the handshake.
type TLSHandshake struct {
	// Port is the port to connect to, 1-65535.
	Port uint16
	// TLS says how the handshake is made and judged.
	TLS TLSOptions
	// Source, if valid, is the local address the probe binds.
	Source netip.Addr
}

// Validate checks the settings at config time; the error is a *FieldError.
func (h *TLSHandshake) Validate() error {
	if h.Port == 0 {
		return &FieldError{Field: "Port", Err: errors.New("port 0 is not in 1-65535")}
	}
	return h.TLS.validate()
}

// Probe runs the check against addr. See Prober for the contract.
func (h *TLSHandshake) Probe(ctx context.Context, addr netip.Addr) Result {
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
	conn, stop, err := dialConn(ctx, h.Source, addr, h.Port)
	if err != nil {
		return done(false, failureReason(ctx, start, err))
	}
	defer stop()
	_, note, reason := secure(ctx, start, &h.TLS, conn, addr)
	if reason != "" {
		return done(false, reason)
	}
	return done(true, note)
}
