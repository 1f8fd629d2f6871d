package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestParseSpan(t *testing.T) {
	good := map[string]time.Duration{
		"30m": 30 * time.Minute, "2h30m": 150 * time.Minute, "1d": 24 * time.Hour,
		"7d": 7 * 24 * time.Hour, "1d12h": 36 * time.Hour, "0s": 0,
	}
	for in, want := range good {
		if got, err := parseSpan(in); err != nil || got != want {
			t.Errorf("parseSpan(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"-5m", "-1d", "1d-2h", "1.5d", "d", "7x", "", "1dd"} {
		if got, err := parseSpan(in); err == nil {
			t.Errorf("parseSpan(%q) = %v, want an error", in, got)
		}
	}
}

// TestNegativeForIsRefused: zonerw pin and zonerw drill refuse a negative
// --for (a pin took it as "until unpinned") with a usage error.
func TestNegativeForIsRefused(t *testing.T) {
	for _, args := range [][]string{{"pin", "--for", "-5m", "web", "backup"}, {"drill", "--for", "-1m", "web"}} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut); code != exitUsage || !strings.Contains(errOut.String(), "cannot be negative") {
			t.Errorf("zonerw %v: exit %d, stderr %q; want %d saying it cannot be negative", args, code, errOut.String(), exitUsage)
		}
	}
}
