package provider

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestAPIErrorText(t *testing.T) {
	lib := errors.New("invalid character '<' looking for beginning of value")
	cases := []struct {
		name string
		resp response
		want string
	}{
		{"html 5xx", response{status: 502, contentType: "text/html; charset=utf-8"},
			"cf: www A: adding 192.0.2.2: HTTP 502 Bad Gateway (an HTML page, not the API's JSON): invalid character '<' looking for beginning of value"},
		{"json 4xx", response{status: 400, contentType: "application/json"},
			"cf: www A: adding 192.0.2.2: HTTP 400 Bad Request: invalid character '<' looking for beginning of value"},
		{"timeout", response{timedOut: true}, "cf: www A: adding 192.0.2.2: no response within 15s: invalid character '<' looking for beginning of value"},
		{"no status", response{}, "cf: www A: adding 192.0.2.2: invalid character '<' looking for beginning of value"},
	}
	for _, tc := range cases {
		e := &apiError{provider: "cf", op: "www A: adding 192.0.2.2", status: httpStatus(tc.resp, 15*time.Second), err: lib}
		if e.Error() != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, e, tc.want)
		}
	}
	e := &apiError{provider: "cf", class: FailureCredentials, cause: "the API token was refused", err: lib}
	if e.Error() != "cf: the API token was refused" || !errors.Is(e, ErrTokenRefused) || errors.Is(e, ErrPermission) {
		t.Errorf("a classified error reads %q; errors.Is(ErrTokenRefused) = %v", e, errors.Is(e, ErrTokenRefused))
	}
}

func TestRetryable(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{&apiError{class: FailureTransient, err: errors.New("connection reset")}, true},
		{&apiError{class: FailureCredentials, err: errors.New("x")}, false},
		{&apiError{class: FailureRejected, err: errors.New("x")}, false},
		{fmt.Errorf("x: %w", errMismatch), true},
		{errors.New("anything else"), false},
		// A joined error (records of one sync): retried when a part is
		// transient, unless a part says the token or zone is wrong.
		{errors.Join(&apiError{class: FailurePermission, err: errors.New("refused")}, &apiError{class: FailureTransient, err: errors.New("503")}), true},
		{errors.Join(&apiError{class: FailureCredentials, err: errors.New("403")}, &apiError{class: FailureTransient, err: errors.New("503")}), false},
	}
	for _, tc := range cases {
		if got := retryable(tc.err); got != tc.want {
			t.Errorf("retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// Classify finds the worst failure anywhere in a joined or wrapped error.
func TestClassifyJoinedErrors(t *testing.T) {
	transient := &apiError{class: FailureTransient, retryAfter: 7 * time.Second, err: errors.New("503")}
	refused := &apiError{class: FailureCredentials, err: errors.New("403")}
	noAddr := &noAddressError{"no IPv6"}
	cases := []struct {
		err  error
		want Failure
	}{
		{nil, FailureNone},
		{errors.New("unclassified"), FailureTransient},
		{transient, FailureTransient},
		{errors.Join(noAddr, transient), FailureNoAddress},
		{fmt.Errorf("gave up: %w", errors.Join(transient, fmt.Errorf("wrapped: %w", refused))), FailureCredentials},
		{fmt.Errorf("x: %w", errMismatch), FailureTransient},
	}
	for _, tc := range cases {
		if got := Classify(tc.err); got != tc.want {
			t.Errorf("Classify(%v) = %s, want %s", tc.err, got, tc.want)
		}
	}
	if d := RetryAfter(errors.Join(noAddr, fmt.Errorf("w: %w", transient))); d != 7*time.Second {
		t.Errorf("RetryAfter = %v, want the 7s the server asked for", d)
	}
	if !errors.Is(errors.Join(noAddr), ErrNoAddress) {
		t.Errorf("a record without an address does not match ErrNoAddress")
	}
}

// A refused token backs off to minutes, not rounds; transient failures
// start at seconds; both stop at their ceiling.
func TestRetryDelay(t *testing.T) {
	cases := []struct {
		f        Failure
		failures int
		want     time.Duration
	}{
		{FailureNone, 3, 0},
		{FailureTransient, 0, 0},
		{FailureTransient, 1, 5 * time.Second},
		{FailureTransient, 3, 20 * time.Second},
		{FailureTransient, 7, 5 * time.Minute},
		{FailureTransient, 100, 5 * time.Minute},
		{FailureCredentials, 1, time.Minute},
		{FailureCredentials, 2, 2 * time.Minute},
		{FailureZoneMissing, 5, 16 * time.Minute},
		{FailurePermission, 6, 30 * time.Minute},
		{FailureCredentials, 1000, 30 * time.Minute},
	}
	for _, tc := range cases {
		if got := RetryDelay(tc.f, tc.failures, 0); got != tc.want {
			t.Errorf("RetryDelay(%s, %d, 0) = %v, want %v", tc.f, tc.failures, got, tc.want)
		}
		if hi := RetryDelay(tc.f, tc.failures, 0.999); hi < tc.want || hi > tc.want+tc.want/10 {
			t.Errorf("RetryDelay(%s, %d, ~1) = %v, want within 10%% above %v", tc.f, tc.failures, hi, tc.want)
		}
	}
	if FailureCredentials.String() != "credentials" || FailureZoneMissing.String() != "zone_missing" || Failure(99).String() != "unknown" {
		t.Errorf("failure names: %s %s %s", FailureCredentials, FailureZoneMissing, Failure(99))
	}
}

func TestRedactAndReplace(t *testing.T) {
	base := errors.New("Get https://x/?token=hunter2: refused")
	err := redact(base, "hunter2")
	if strings.Contains(err.Error(), "hunter2") || !errors.Is(err, base) {
		t.Errorf("redact: %q (chain kept: %v)", err, errors.Is(err, base))
	}
	if redact(base, "absent") != base || redact(base, "") != base {
		t.Errorf("redact changed an error without the secret")
	}
	lib := errors.New(`Get "https://api.cloudflare.com/client/v4/zones?name=example.com.": connection refused`)
	want := `Get "http://127.0.0.1:8080/client/v4/zones?name=example.com.": connection refused`
	if got := replace(lib, defaultBase(Cloudflare), "http://127.0.0.1:8080/client/v4"); got.Error() != want || !errors.Is(got, lib) {
		t.Errorf("replace: %q, want %q", got, want)
	}
}
