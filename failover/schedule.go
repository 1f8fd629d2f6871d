package failover

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// shifted fires offset after each time of its inner schedule, so that
// services on the same spec do not all fire together.
type shifted struct {
	inner  cron.Schedule
	offset time.Duration
}

// Next is the inner schedule's next time, moved by the offset.
func (s shifted) Next(t time.Time) time.Time {
	n := s.inner.Next(t.Add(-s.offset))
	if n.IsZero() {
		return n
	}
	return n.Add(s.offset)
}

// every is the interval of an "@every" schedule; false for a cron spec,
// whose times do not depend on when the loop started.
func (s shifted) every() (time.Duration, bool) {
	c, ok := s.inner.(cron.ConstantDelaySchedule)
	return c.Delay, ok
}

// schedule parses a cron spec ("@every 2s", "*/5 * * * *") and shifts it
// by the offset of the i-th of n services: i*jitter/n.
func schedule(spec string, i, n int, jitter time.Duration) (cron.Schedule, error) {
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec, err)
	}
	return shifted{inner: s, offset: jitter * time.Duration(i) / time.Duration(n)}, nil
}
