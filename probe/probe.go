// Package probe runs one health check against one address and returns a
// small result. A check is bounded by the caller's context: it never outlives
// it. The package decides nothing; failover reads the results.
//
// Checks are made by address: an HTTP probe dials the address it is given
// while sending the service's name as Host header and TLS server name, so the
// main server can be checked wherever DNS points at the moment. The checks
// are HTTP(S), TCP connect, SMTP, IMAP, a TLS handshake, a DNS question and
// an operator's command (Exec). Each but Exec can bind a source address, so
// that probes leave by a chosen path.
package probe

import (
	"context"
	"net/netip"
	"time"
)

// Result is the outcome of one check.
type Result struct {
	// OK is true when the check passed.
	OK bool
	// Latency is the time from the start of the check to its outcome,
	// measured for failures too.
	Latency time.Duration
	// Reason says in a few words why the check passed or failed, for logs
	// and status output: "HTTP 200", "HTTP 503 (want 2xx)",
	// "body lacks \"ok\"", "connect: connection refused", "timeout after 2s".
	Reason string
}

// Prober checks one address. Probe returns when the check is done or ctx is
// done, whichever comes first; it never returns an error, only a Result whose
// Reason explains a failure. A Prober may be used by several goroutines at
// once.
type Prober interface {
	Probe(ctx context.Context, addr netip.Addr) Result
}

// Compile-time guards: every check satisfies Prober.
var (
	_ Prober = (*HTTP)(nil)
	_ Prober = (*TCP)(nil)
	_ Prober = (*SMTP)(nil)
	_ Prober = (*IMAP)(nil)
	_ Prober = (*TLSHandshake)(nil)
	_ Prober = (*DNS)(nil)
	_ Prober = (*Exec)(nil)
)
