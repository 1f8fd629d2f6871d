package probe

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// TCP checks that a TCP connection to the address and Port can be opened.
// The connection is closed at once; nothing is sent.
type TCP struct {
	// Port is the port to connect to, 1-65535.
	Port uint16
	// Source, if valid, is the local address the probe binds.
	Source netip.Addr
}

// Validate checks the settings at config time; the error is a *FieldError.
func (t *TCP) Validate() error {
	if t.Port == 0 {
		return &FieldError{Field: "Port", Err: errors.New("port 0 is not in 1-65535")}
	}
	return nil
}

// Probe runs the check against addr. See Prober for the contract.
func (t *TCP) Probe(ctx context.Context, addr netip.Addr) Result {
	start := time.Now()
	done := func(ok bool, reason string) Result {
		return Result{OK: ok, Latency: time.Since(start), Reason: reason}
	}
	if err := t.Validate(); err != nil {
		return done(false, "invalid probe: "+err.Error())
	}
	if err := checkAddrs(t.Source, addr); err != nil {
		return done(false, "invalid probe: "+err.Error())
	}
	target := netip.AddrPortFrom(addr.Unmap(), t.Port)
	conn, err := dialer(t.Source, "tcp").DialContext(ctx, "tcp", target.String())
	if err != nil {
		return done(false, failureReason(ctx, start, err))
	}
	// The connection was made, which is all this check asks; an error
	// closing it says nothing about the server.
	_ = conn.Close()
	return done(true, fmt.Sprintf("TCP port %d open", t.Port))
}
