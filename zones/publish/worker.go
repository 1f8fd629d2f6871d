package publish

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// Retry is how a destination's worker waits between failed attempts:
// exponential backoff with jitter (cenkalti/backoff). An error that wraps
// a *backoff.RetryAfterError, or has a RetryAfter() time.Duration method,
// waits at least that long, however long; one wrapping a
// *backoff.PermanentError (a refused token, say) waits Max at once, so a
// problem only a human can fix is retried every few minutes, not every
// round; one with a HoldFor() time.Duration method waits at least that
// long. A wait ends early when a new value is offered or the destination
// is replaced (a reload: someone may have fixed it), except a Retry-After
// wait, which the destination asked for and gets in full.
type Retry struct {
	Initial time.Duration // first wait (default 1s)
	Max     time.Duration // longest wait (default 5m)
	// Attempts bounds the attempts of one Flush (cron mode); 0 is no
	// bound but the context's. The daemon's workers retry until they
	// succeed.
	Attempts int
}

func (r Retry) withDefaults() Retry {
	if r.Initial <= 0 {
		r.Initial = time.Second
	}
	if r.Max <= 0 {
		r.Max = 5 * time.Minute
	}
	return r
}

func (r Retry) newBackOff() *backoff.ExponentialBackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval, b.Multiplier = r.Initial, r.Max, 2
	return b
}

// wait is how long to wait after err, the n-th failure in a row.
func (r Retry) wait(b *backoff.ExponentialBackOff, err error) time.Duration {
	d := b.NextBackOff()
	var perm *backoff.PermanentError
	if errors.As(err, &perm) {
		d = r.Max
	}
	if ra := retryAfter(err); ra > d {
		d = ra
	}
	var h interface{ HoldFor() time.Duration }
	if errors.As(err, &h) && h.HoldFor() > d {
		d = h.HoldFor()
	}
	return d
}

// retryAfter is the wait the destination asked for, if any.
func retryAfter(err error) time.Duration {
	var rae *backoff.RetryAfterError
	if errors.As(err, &rae) {
		return rae.Duration
	}
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) {
		return ra.RetryAfter()
	}
	return 0
}

// DestinationStatus is what a destination's worker knows, for status,
// metrics and alerts.
type DestinationStatus struct {
	Name string
	// Holds describes what the destination was last given successfully
	// ("serial 2026120201"); empty before the first success.
	Holds string
	// Pending is set while a newer value than the one it holds waits.
	Pending     bool
	LastSuccess time.Time
	LastError   string // empty after a success
	LastErrorAt time.Time
	Failures    int       // failed attempts in a row
	RetryAt     time.Time // when the next attempt is due, after a failure
}

// Observer hears of every attempt's outcome (metrics, alerts, logs).
type Observer interface {
	Delivered(dest string, err error)
}

// worker delivers the newest value offered to one destination.
type worker[T any] struct {
	name     string
	deliver  func(ctx context.Context, v T) error
	describe func(v T) string
	timeout  time.Duration // per attempt
	retry    Retry
	obs      Observer
	now      func() time.Time

	mu    sync.Mutex
	value T
	seq   uint64 // offers so far
	done  uint64 // the offer the destination holds
	gen   uint64 // offers and replacements so far (rest)
	st    DestinationStatus
	wake  chan struct{}
}

func newWorker[T any](name string, deliver func(context.Context, T) error, describe func(T) string,
	timeout time.Duration, retry Retry, obs Observer, now func() time.Time) *worker[T] {
	return &worker[T]{name: name, deliver: deliver, describe: describe, timeout: timeout,
		retry: retry.withDefaults(), obs: obs, now: now, st: DestinationStatus{Name: name}, wake: make(chan struct{}, 1)}
}

// replace gives the worker a new destination (a reload rebuilt it); the
// next attempt goes there.
func (w *worker[T]) replace(deliver func(context.Context, T) error, timeout time.Duration, retry Retry) {
	w.mu.Lock()
	w.deliver, w.timeout, w.retry = deliver, timeout, retry.withDefaults()
	w.gen++
	w.mu.Unlock()
	w.signal() // a wait after a failure ends: the new destination may work
}

// offer makes v the value to deliver next, replacing any not yet taken.
// It never blocks.
func (w *worker[T]) offer(v T) {
	w.mu.Lock()
	w.value = v
	w.seq++
	w.gen++
	w.st.Pending = true
	w.mu.Unlock()
	w.signal()
}

// signal wakes the worker: from its idle wait, or from its wait after a
// failure unless that is a Retry-After.
func (w *worker[T]) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// take returns the newest value not yet delivered, and the generation
// it was taken at.
func (w *worker[T]) take() (v T, seq, gen uint64, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seq == w.done {
		return v, 0, w.gen, false
	}
	return w.value, w.seq, w.gen, true
}

// moved reports whether a value was offered or the destination replaced
// since generation gen.
func (w *worker[T]) moved(gen uint64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.gen != gen
}

// attempt delivers v once, within the worker's timeout.
func (w *worker[T]) attempt(ctx context.Context, v T) error {
	w.mu.Lock()
	deliver, timeout := w.deliver, w.timeout
	w.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := deliver(ctx, v)
	if w.obs != nil {
		w.obs.Delivered(w.name, err)
	}
	return err
}

func (w *worker[T]) succeeded(v T, seq uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done = max(w.done, seq)
	w.st.Pending = w.seq != w.done
	w.st.Holds = w.describe(v)
	w.st.LastSuccess, w.st.LastError, w.st.Failures, w.st.RetryAt = w.now(), "", 0, time.Time{}
}

func (w *worker[T]) failed(err error, wait time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.st.LastError, w.st.LastErrorAt = err.Error(), w.now()
	w.st.Failures++
	w.st.RetryAt = w.now().Add(wait)
}

// status returns a copy of the worker's status.
func (w *worker[T]) status() DestinationStatus {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.st
}

// run delivers until ctx is done. An attempt in progress then gets until
// its own deadline or until hard is done, whichever comes first.
func (w *worker[T]) run(ctx, hard context.Context) {
	b := w.retry.newBackOff()
	for {
		select { // what was offered so far, take has
		case <-w.wake:
		default:
		}
		v, seq, gen, ok := w.take()
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-w.wake:
			}
			continue
		}
		err := w.attempt(hard, v)
		if err == nil {
			w.succeeded(v, seq)
			b.Reset()
			continue
		}
		wait := w.retry.wait(b, err)
		w.failed(err, wait)
		if !w.rest(ctx, wait, gen, retryAfter(err) == 0) {
			return
		}
	}
}

// rest waits d after a failed attempt with the value taken at generation
// gen. When mayEnd is set (not a Retry-After, which the destination asked
// for and gets in full), a new value or destination ends it early; a wake
// that brings neither (offer signals after it lets go of the value, so
// the signal of the value just tried can come after its take) does not.
// It reports false if ctx ended first.
func (w *worker[T]) rest(ctx context.Context, d time.Duration, gen uint64, mayEnd bool) bool {
	var wake <-chan struct{}
	if mayEnd {
		wake = w.wake
	}
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			return true
		case <-ctx.Done():
			return false
		case <-wake:
			if w.moved(gen) {
				return true
			}
		}
	}
}

// deliverWithin tries to deliver the newest value until it succeeds or
// ctx is done (cron mode: one bounded pass, retries included). It returns
// the last attempt's error.
func (w *worker[T]) deliverWithin(ctx context.Context) error {
	b := w.retry.newBackOff()
	for n := 1; ; n++ {
		v, seq, _, ok := w.take()
		if !ok {
			return nil
		}
		err := w.attempt(ctx, v)
		if err == nil {
			w.succeeded(v, seq)
			continue
		}
		wait := w.retry.wait(b, err)
		w.failed(err, wait)
		if n == w.retry.Attempts {
			return err
		}
		if deadline, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(deadline) {
			return err
		}
		if !sleep(ctx, wait) {
			return err
		}
	}
}

// sleep waits d; it reports false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
