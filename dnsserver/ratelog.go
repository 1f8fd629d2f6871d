package dnsserver

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"
)

// rateLog keeps what clients can make the server log from filling the
// disk: per message (the reason), the first burst lines of each interval
// are logged, the others are only counted, and when the interval ends one
// line says how many were left out. The metrics count every one.
type rateLog struct {
	log      *slog.Logger
	burst    int
	interval time.Duration

	mu      sync.Mutex
	windows map[string]*logWindow // by message
	total   map[string]uint64     // lines left out since New, by message
}

// logWindow is one message's current interval.
type logWindow struct {
	start      time.Time
	level      slog.Level
	logged     int
	suppressed int
}

func newRateLog(log *slog.Logger, burst int, interval time.Duration) *rateLog {
	return &rateLog{log: log, burst: burst, interval: interval,
		windows: make(map[string]*logWindow), total: make(map[string]uint64)}
}

// Log logs msg at level, unless msg has been logged burst times already
// in the current interval. It reports whether it left the line out, so
// that the caller can make sure a summary follows (see flush).
func (l *rateLog) Log(now time.Time, level slog.Level, msg string, args ...any) (suppressed bool) {
	ctx := context.Background()
	if !l.log.Enabled(ctx, level) {
		return false
	}
	l.mu.Lock()
	w := l.windows[msg]
	if w == nil || now.Sub(w.start) >= l.interval {
		if w != nil {
			l.summarise(msg, w)
		}
		w = &logWindow{start: now, level: level}
		l.windows[msg] = w
	}
	if w.logged >= l.burst {
		w.suppressed++
		l.total[msg]++
		l.mu.Unlock()
		return true
	}
	w.logged++
	l.mu.Unlock()
	l.log.Log(ctx, level, msg, args...)
	return false
}

// flush ends every interval that is over at now (all of them when force
// is set) and logs the summary of each that left lines out.
func (l *rateLog) flush(now time.Time, force bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for msg, w := range l.windows {
		if force || now.Sub(w.start) >= l.interval {
			l.summarise(msg, w)
			delete(l.windows, msg)
		}
	}
}

// summarise logs how many lines of msg the window w left out, if any.
// The caller holds l.mu; the handler writes to its own writer, so
// logging under the lock only orders the summaries.
func (l *rateLog) summarise(msg string, w *logWindow) {
	if w.suppressed == 0 {
		return
	}
	l.log.Log(context.Background(), w.level, "log lines suppressed", "message", msg,
		"suppressed", w.suppressed, "logged", w.logged, "interval", l.interval.String())
}

// suppressed returns the lines left out since New, by message.
func (l *rateLog) suppressed() []LogCount {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]LogCount, 0, len(l.total))
	for _, msg := range slices.Sorted(maps.Keys(l.total)) {
		out = append(out, LogCount{Message: msg, Count: l.total[msg]})
	}
	return out
}

// LogCount is the number of log lines with one message that the log rate
// limit left out.
type LogCount struct {
	Message string
	Count   uint64
}

// logLimited logs through the rate limit and makes sure that a summary
// of the lines it leaves out is written when their interval ends.
func (s *Server) logLimited(level slog.Level, msg string, args ...any) {
	if s.ratelog.Log(s.now(), level, msg, args...) {
		s.startLogFlusher()
	}
}

// startLogFlusher starts, once, the goroutine that writes the summaries
// of the rate-limited log as their intervals end; Shutdown stops it and
// writes the last ones.
func (s *Server) startLogFlusher() {
	s.flusherOnce.Do(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.closing.Load() {
			return
		}
		s.wg.Go(func() {
			t := time.NewTicker(s.cfg.Limits.LogInterval)
			defer t.Stop()
			for {
				select {
				case <-s.ctx.Done():
					return
				case <-t.C:
					s.ratelog.flush(s.now(), false)
				}
			}
		})
	})
}
