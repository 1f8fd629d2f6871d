package provider

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// Retry settings. A Publish gives up after maxAttempts; the next cycle
// starts again.
const (
	maxAttempts   = 6
	backoffBase   = time.Second
	backoffMax    = 30 * time.Second
	maxRetryAfter = 5 * time.Minute // Cloudflare blocks for 5 minutes after its limit
)

// SleepFunc waits for d or until ctx is done, returning ctx.Err() then.
type SleepFunc func(ctx context.Context, d time.Duration) error

// sleepCtx is the real SleepFunc.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// newBackOff is the wait schedule of one call's retries (cenkalti's
// exponential backoff): backoffBase after the first failure, doubling up to
// backoffMax, each wait drawn within half of it either way so that several
// zonerw instances do not retry in step.
func newBackOff() *backoff.ExponentialBackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval, b.Multiplier = backoffBase, backoffMax, 2
	return b
}

// parseRetryAfter reads a Retry-After header, in seconds or as an HTTP
// date, relative to now. It returns 0 when the header is absent or bad, and
// never more than maxRetryAfter.
func parseRetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(h); err == nil {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	}
	return max(0, min(d, maxRetryAfter))
}

// delay is how long to wait after a failed attempt: the server's
// Retry-After when it gave one, otherwise the next wait of b.
func (p *Publisher) delay(err error, b backoff.BackOff) time.Duration {
	if d := RetryAfter(err); d > 0 {
		return d
	}
	return b.NextBackOff()
}

// retryable reports whether err is worth another attempt within one
// Publish: some part of it is a transient API failure or a read-back that
// did not match, and no part is a refused credential or a missing zone.
// (A record refused for good beside one that failed for a while is tried
// again with it: the refusal then stands in the error.)
func retryable(err error) bool {
	if stopsAll(err) {
		return false
	}
	again := false
	walk(err, func(e error) {
		if ae, ok := e.(*apiError); ok && ae.retryable() || e == errMismatch {
			again = true
		}
	})
	return again
}
