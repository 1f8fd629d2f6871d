package provider

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ErrTokenRefused is matched (errors.Is) by the error Publish, Reconcile and
// Plan return when the provider answered 401 or 403: retrying cannot help.
var ErrTokenRefused = errors.New("the API token was refused")

// errMismatch marks a read-back that does not show what was written.
var errMismatch = errors.New("the provider does not hold the wanted addresses")

// apiError is a failed library call, with what the transport recorded
// about the last HTTP response.
type apiError struct {
	provider string // Config.Name
	op       string // what was being done, e.g. "www A: adding 192.0.2.2"
	resp     response
	timeout  time.Duration
	err      error // the library's error, token already redacted
}

func (e *apiError) Error() string {
	if e.refused() {
		return fmt.Sprintf("%s: the API token was refused (HTTP %d): check the token file", e.provider, e.resp.status)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s: ", e.provider, e.op)
	switch {
	case e.resp.timedOut:
		fmt.Fprintf(&b, "no response within %v: ", e.timeout)
	case e.resp.status >= 400 && e.resp.html():
		fmt.Fprintf(&b, "HTTP %d %s (an HTML page, not the API's JSON): ", e.resp.status, http.StatusText(e.resp.status))
	case e.resp.status >= 400:
		fmt.Fprintf(&b, "HTTP %d %s: ", e.resp.status, http.StatusText(e.resp.status))
	}
	b.WriteString(e.err.Error())
	return b.String()
}

func (e *apiError) Unwrap() error { return e.err }

// Is makes errors.Is(err, ErrTokenRefused) true for a 401 or 403.
func (e *apiError) Is(target error) bool {
	return target == ErrTokenRefused && e.refused()
}

func (e *apiError) refused() bool {
	return e.resp.status == http.StatusUnauthorized || e.resp.status == http.StatusForbidden
}

// retryable reports whether trying again may succeed: no response at all
// (network error, timeout), 408, 429 and 5xx. Other 4xx answers and errors
// the library raised about a successful response are not retried within
// one Publish; the next cycle tries again.
func (e *apiError) retryable() bool {
	s := e.resp.status
	switch {
	case errors.Is(e.err, errUnexpectedHost):
		return false
	case s == 0, s == http.StatusRequestTimeout, s == http.StatusTooManyRequests:
		return true
	}
	return s >= 500
}

// redacted is an error whose text has had a secret replaced.
type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }

// redact hides secret in err's text, keeping the chain for errors.Is.
func redact(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return &redacted{msg: strings.ReplaceAll(err.Error(), secret, "[redacted]"), err: err}
}
