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
		{"refused", response{status: 403}, "cf: the API token was refused (HTTP 403): check the token file"},
		{"html 5xx", response{status: 502, contentType: "text/html; charset=utf-8"},
			"cf: www A: adding 192.0.2.2: HTTP 502 Bad Gateway (an HTML page, not the API's JSON): invalid character '<' looking for beginning of value"},
		{"json 4xx", response{status: 400, contentType: "application/json"},
			"cf: www A: adding 192.0.2.2: HTTP 400 Bad Request: invalid character '<' looking for beginning of value"},
		{"timeout", response{timedOut: true}, "cf: www A: adding 192.0.2.2: no response within 15s: invalid character '<' looking for beginning of value"},
	}
	for _, tc := range cases {
		e := &apiError{provider: "cf", op: "www A: adding 192.0.2.2", resp: tc.resp, timeout: 15 * time.Second, err: lib}
		if e.Error() != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, e, tc.want)
		}
	}
}

func TestRetryable(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{&apiError{resp: response{status: 0}, err: errors.New("connection reset")}, true},
		{&apiError{resp: response{status: 429}, err: errors.New("x")}, true},
		{&apiError{resp: response{status: 503}, err: errors.New("x")}, true},
		{&apiError{resp: response{status: 408}, err: errors.New("x")}, true},
		{&apiError{resp: response{status: 401}, err: errors.New("x")}, false},
		{&apiError{resp: response{status: 403}, err: errors.New("x")}, false},
		{&apiError{resp: response{status: 400}, err: errors.New("x")}, false},
		{&apiError{resp: response{status: 200}, err: errors.New("expected 1 zone, got 0")}, false},
		{&apiError{err: fmt.Errorf("%w: https://evil", errUnexpectedHost)}, false},
		{fmt.Errorf("x: %w", errMismatch), true},
		{errors.New("anything else"), false},
	}
	for _, tc := range cases {
		if got := retryable(tc.err); got != tc.want {
			t.Errorf("retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestRedact(t *testing.T) {
	base := errors.New("Get https://x/?token=hunter2: refused")
	err := redact(base, "hunter2")
	if strings.Contains(err.Error(), "hunter2") || !errors.Is(err, base) {
		t.Errorf("redact: %q (chain kept: %v)", err, errors.Is(err, base))
	}
	if redact(base, "absent") != base {
		t.Errorf("redact changed an error without the secret")
	}
}
