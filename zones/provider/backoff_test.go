package provider

import (
	"testing"
	"time"
)

func TestBackoffIsCappedExponentialWithJitter(t *testing.T) {
	cases := []struct {
		n        int
		low, top time.Duration // r = 0 and r -> 1
	}{
		{1, 500 * time.Millisecond, time.Second},
		{2, time.Second, 2 * time.Second},
		{5, 8 * time.Second, 16 * time.Second},
		{6, 15 * time.Second, 30 * time.Second},
		{60, 15 * time.Second, 30 * time.Second},
	}
	for _, tc := range cases {
		if got := backoff(tc.n, 0); got != tc.low {
			t.Errorf("backoff(%d, 0) = %v, want %v", tc.n, got, tc.low)
		}
		if got := backoff(tc.n, 0.999999); got > tc.top || got < tc.top-time.Millisecond {
			t.Errorf("backoff(%d, ~1) = %v, want just under %v", tc.n, got, tc.top)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		header string
		want   time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{" 30 ", 30 * time.Second},
		{"-5", 0},
		{"soon", 0},
		{"3600", maxRetryAfter},
		{"Fri, 01 May 2026 12:00:45 GMT", 45 * time.Second},
		{"Fri, 01 May 2026 11:00:00 GMT", 0},
	}
	for _, tc := range cases {
		if got := parseRetryAfter(tc.header, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}
