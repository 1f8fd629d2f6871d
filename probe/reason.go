package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"
)

// failureReason turns a failed call into a short Reason. A deadline is told
// apart from a refused or reset connection, and a cancelled context from both.
func failureReason(ctx context.Context, start time.Time, err error) string {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "timeout after " + budget(ctx, start).String()
	case errors.Is(ctx.Err(), context.Canceled):
		return "canceled after " + time.Since(start).Round(time.Millisecond).String()
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return "timeout: " + unwrapURLError(err).Error()
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return "connect: " + innermost(opErr.Err).Error()
	}
	var verifyErr *tls.CertificateVerificationError
	if errors.As(err, &verifyErr) {
		return fmt.Sprintf("tls: certificate not trusted: %v", verifyErr.Err)
	}
	return unwrapURLError(err).Error()
}

// budget is the time the caller gave the check, from start to the context's
// deadline, rounded to the millisecond ("2s" for a 2s timeout).
func budget(ctx context.Context, start time.Time) time.Duration {
	deadline, ok := ctx.Deadline()
	if !ok || deadline.Before(start) {
		return time.Since(start).Round(time.Millisecond)
	}
	return deadline.Sub(start).Round(time.Millisecond)
}

// innermost returns the system error under a dial error ("connection
// refused") when there is one, and err otherwise.
func innermost(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}
