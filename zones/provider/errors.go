package provider

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// errMismatch marks a read-back that does not show what was written.
var errMismatch = errors.New("the provider does not hold the wanted addresses")

// apiError is a failed library call, classified.
type apiError struct {
	provider   string // Config.Name
	op         string // what was being done, e.g. "www A: adding 192.0.2.2"
	record     string // the record a change was for ("www.example.com. A"); empty for a read
	class      Failure
	cause      string // credentials, permission, zone missing: the whole message after the name
	status     string // what the transport saw: "HTTP 502 Bad Gateway", "no response within 15s"
	retryAfter time.Duration
	err        error // the library's error, secrets redacted
}

func (e *apiError) Error() string {
	if e.cause != "" {
		return e.provider + ": " + e.cause
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s: ", e.provider, e.op)
	if e.status != "" {
		b.WriteString(e.status + ": ")
	}
	b.WriteString(e.err.Error())
	return b.String()
}

func (e *apiError) Unwrap() error { return e.err }

func (e *apiError) failure() Failure { return e.class }

// Is matches the sentinel of the error's failure.
func (e *apiError) Is(target error) bool {
	switch target {
	case ErrTokenRefused:
		return e.class == FailureCredentials
	case ErrPermission:
		return e.class == FailurePermission
	case ErrZoneMissing:
		return e.class == FailureZoneMissing
	}
	return false
}

// retryable reports whether trying again within one Publish may succeed.
func (e *apiError) retryable() bool { return e.class == FailureTransient }

// httpStatus describes what the transport saw, for a message.
func httpStatus(r response, timeout time.Duration) string {
	switch {
	case r.timedOut:
		return fmt.Sprintf("no response within %v", timeout)
	case r.status >= 400 && r.html():
		return fmt.Sprintf("HTTP %d %s (an HTML page, not the API's JSON)", r.status, http.StatusText(r.status))
	case r.status >= 400:
		return fmt.Sprintf("HTTP %d %s", r.status, http.StatusText(r.status))
	}
	return ""
}

// noAddressError is a record left alone because its service has no
// address of its family.
type noAddressError struct{ msg string }

func (e *noAddressError) Error() string        { return e.msg }
func (e *noAddressError) failure() Failure     { return FailureNoAddress }
func (e *noAddressError) Is(target error) bool { return target == ErrNoAddress }

// replaced is an error whose text has had part of it replaced (a secret
// hidden, a built-in URL put right), keeping the chain for errors.Is.
type replaced struct {
	msg string
	err error
}

func (r *replaced) Error() string { return r.msg }
func (r *replaced) Unwrap() error { return r.err }

// redact hides secret in err's text, keeping the chain for errors.Is.
func redact(err error, secret string) error {
	return replace(err, secret, "[redacted]")
}

// replace puts new in place of old in err's text.
func replace(err error, old, new string) error {
	if err == nil || old == "" || old == new || !strings.Contains(err.Error(), old) {
		return err
	}
	return &replaced{msg: strings.ReplaceAll(err.Error(), old, new), err: err}
}
