package provider

import (
	"errors"
	"time"
)

// Failure says what kind of failure an error from Publish, Reconcile or
// Plan is, so that the caller can decide when to try again and what to
// tell the operator. Classify finds it.
type Failure int

// The failures, from the least to the most severe (Classify of a joined
// error returns the most severe one in it).
const (
	// FailureNone: no error.
	FailureNone Failure = iota
	// FailureTransient: no answer, a timeout, 408, 429, 5xx, SERVFAIL, a
	// read-back that did not show the change yet. Retry soon, with
	// backoff; RetryAfter gives the wait the server asked for.
	FailureTransient
	// FailureNoAddress: a record's service has no address of the record's
	// family, so the record was left as it is. Nothing to retry until the
	// decision changes.
	FailureNoAddress
	// FailureRejected: the provider answered but refused the request as
	// invalid, or its answer could not be used. Retrying unchanged is
	// unlikely to help; retry slowly.
	FailureRejected
	// FailurePermission: the credential is valid but may not do this to
	// this zone (read or edit its records, send it updates).
	FailurePermission
	// FailureZoneMissing: the zone is not at the provider (or not served
	// by the server), or it is outside what the credential may see.
	FailureZoneMissing
	// FailureCredentials: the token or TSIG key was refused: wrong,
	// expired, revoked, or unknown to the server.
	FailureCredentials
)

var failureNames = [...]string{"none", "transient", "no_address", "rejected", "permission", "zone_missing", "credentials"}

// String is the failure's name as status, metrics and the audit log write
// it: "credentials", "zone_missing", ...
func (f Failure) String() string {
	if int(f) < len(failureNames) {
		return failureNames[f]
	}
	return "unknown"
}

// Permanent reports whether the failure needs the operator (or a changed
// decision) rather than time: every failure but FailureTransient.
func (f Failure) Permanent() bool { return f > FailureTransient }

// These match (errors.Is) the errors of the corresponding failures.
var (
	ErrTokenRefused = errors.New("the credential was refused")                    // FailureCredentials
	ErrPermission   = errors.New("the credential may not do this to the zone")    // FailurePermission
	ErrZoneMissing  = errors.New("the zone is not there or outside the scope")    // FailureZoneMissing
	ErrNoAddress    = errors.New("the service has no address of the record type") // FailureNoAddress
)

// classified is implemented by this package's errors that know their
// failure.
type classified interface{ failure() Failure }

// Classify returns the most severe failure in err (which may be a
// joined error). An error this package did not classify counts as
// transient; nil is FailureNone.
func Classify(err error) Failure {
	if err == nil {
		return FailureNone
	}
	worst := FailureTransient
	walk(err, func(e error) {
		if c, ok := e.(classified); ok {
			worst = max(worst, c.failure())
		}
	})
	return worst
}

// RetryAfter is the longest wait a server asked for (Retry-After) in
// err, or zero.
func RetryAfter(err error) time.Duration {
	var d time.Duration
	walk(err, func(e error) {
		if ae, ok := e.(*apiError); ok {
			d = max(d, ae.retryAfter)
		}
	})
	return d
}

// walk calls fn on err and everything it wraps, depth first.
func walk(err error, fn func(error)) {
	if err == nil {
		return
	}
	fn(err)
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			walk(e, fn)
		}
	case interface{ Unwrap() error }:
		walk(u.Unwrap(), fn)
	}
}

// Retry schedule for callers that retry a failed publish (the daemon's
// worker, cron runs): transient failures start at transientFirst and
// permanent ones at permanentFirst, doubling up to their ceilings.
const (
	transientFirst   = 5 * time.Second
	transientCeiling = 5 * time.Minute
	permanentFirst   = time.Minute
	permanentCeiling = 30 * time.Minute
)

// RetryDelay is how long to wait before trying again after failures
// consecutive failed publishes whose last failure was f: exponential
// from 5s to a ceiling of 5 minutes for transient failures, from 1 minute
// to 30 minutes for the others (a refused token is not retried every
// round). r in [0, 1) adds up to 10% jitter, so that instances do not
// retry in step. FailureNone gives 0.
func RetryDelay(f Failure, failures int, r float64) time.Duration {
	if f == FailureNone || failures < 1 {
		return 0
	}
	first, ceiling := transientFirst, transientCeiling
	if f.Permanent() {
		first, ceiling = permanentFirst, permanentCeiling
	}
	d := ceiling
	if failures < 20 {
		d = min(first<<(failures-1), ceiling)
	}
	return d + time.Duration(r*float64(d/10))
}
