package config

import (
	"errors"
	"fmt"
	"time"

	"github.com/zonerw/zonerw/probe"
)

// Interval is the time between two rounds of a schedule spec: its
// "@every" interval, or for a cron spec the gap between its first two
// times after now. False when the spec does not parse.
func Interval(spec string, now time.Time) (time.Duration, bool) {
	sched, err := ParseSchedule(spec)
	if err != nil {
		return 0, false
	}
	t1 := sched.Next(now)
	if t1.IsZero() {
		return 0, false
	}
	return sched.Next(t1).Sub(t1), true
}

// RoundTime is the longest one probe of the service's check can take: its
// timeout, and for an exec check the grace to kill the command.
func (ch Check) RoundTime() time.Duration {
	if ch.Type == "exec" {
		return ch.Timeout + probe.ExecKillGrace
	}
	return ch.Timeout
}

// VerifyRoundTimes checks that each service's probe ends before its next
// round is due. A timeout that reaches the interval means that a target
// which stops answering is probed less often than `every` says (the
// round finds its probe still running). The errors name the file, line
// and key; Load must have read the config.
func (c *Config) VerifyRoundTimes(now time.Time) error {
	var errs []error
	for i, s := range c.Services {
		every, ok := Interval(s.Every, now)
		if !ok || s.Check.RoundTime() < every {
			continue
		}
		took := s.Check.Timeout.String()
		if s.Check.Type == "exec" {
			took += fmt.Sprintf(" + %s to kill the command", probe.ExecKillGrace)
		}
		errs = append(errs, c.loc.errorf(at("services", i, "check", "timeout"),
			"%s is not shorter than the probe interval %s (every %q): a target that stops answering would be probed only once its probe timed out, not every %s; make the timeout shorter than the interval",
			took, every, s.Every, every))
	}
	return errors.Join(errs...)
}
