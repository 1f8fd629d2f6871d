package publish

import (
	"errors"
	"testing"
)

// Flush names each failing destination once: an error that begins with
// the destination's name as a phrase ("provider cf: ") is not prefixed
// again ("provider:cf: cf: ..." was what cron printed).
func TestFlushNamesTheDestinationOnce(t *testing.T) {
	cases := []struct{ name, err, want string }{
		{"provider:cf", "provider cf: reading the zone: HTTP 500", "provider cf: reading the zone: HTTP 500"},
		{"provider:cf", "HTTP 500", "provider:cf: HTTP 500"},
		{"file:example.com", "example.com: disk full", "file:example.com: example.com: disk full"},
	}
	for _, tc := range cases {
		if got := namedFor(tc.name, errors.New(tc.err)).Error(); got != tc.want {
			t.Errorf("namedFor(%q, %q) = %q, want %q", tc.name, tc.err, got, tc.want)
		}
	}
}
