package provider

import (
	"testing"
	"time"
)

func TestBackoffIsCappedExponentialWithJitter(t *testing.T) {
	b := newBackOff()
	for i, mid := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second} {
		if got := b.NextBackOff(); got < mid/2 || got > mid*3/2 {
			t.Errorf("wait %d = %v, want within half of %v either way", i+1, got, mid)
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
