package main

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// parseSpan reads a span of time given on the command line: a Go
// duration (90m, 2h30m), optionally led by whole days (1d, 7d, 1d12h),
// since an operator counts in days too. A negative span is refused.
func parseSpan(s string) (time.Duration, error) {
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil || n < 0 {
			return 0, errors.New("want a duration such as 30m, 2h or 7d")
		}
		days, s = time.Duration(n)*24*time.Hour, s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New("want a duration such as 30m, 2h or 7d")
	}
	if d < 0 || days > 0 && strings.HasPrefix(s, "-") {
		return 0, errors.New("a duration cannot be negative")
	}
	return days + d, nil
}

// spanFlag is a flag.Value for parseSpan.
type spanFlag struct{ d time.Duration }

func (f *spanFlag) String() string {
	if f == nil || f.d == 0 {
		return ""
	}
	return f.d.String()
}

func (f *spanFlag) Set(s string) error {
	d, err := parseSpan(s)
	if err != nil {
		return err
	}
	f.d = d
	return nil
}
