package provider

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
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

// backoff is the wait before attempt n+1 after n failures: exponential from
// backoffBase, capped at backoffMax, with "equal jitter" (between half and
// all of it) so that several zonerw instances do not retry in step. r is in
// [0, 1).
func backoff(n int, r float64) time.Duration {
	d := backoffMax
	if n < 16 {
		d = min(backoffBase<<(n-1), backoffMax)
	}
	return d/2 + time.Duration(r*float64(d/2))
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

// delay is how long to wait after the n-th failed attempt: the server's
// Retry-After when it gave one, otherwise backoff.
func (p *Publisher) delay(err error, n int) time.Duration {
	if d := RetryAfter(err); d > 0 {
		return d
	}
	return backoff(n, rand.Float64())
}

// retryable reports whether err is worth another attempt within one
// Publish: a transient API failure or a read-back that did not match.
func retryable(err error) bool {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.retryable()
	}
	return errors.Is(err, errMismatch)
}
