package dnsserver

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// logRecorder is a slog.Handler keeping each record's message and
// attributes.
type logRecorder struct {
	mu    sync.Mutex
	lines []logLine
}

type logLine struct {
	msg   string
	attrs map[string]string
}

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *logRecorder) WithGroup(string) slog.Handler            { return h }
func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l := logLine{msg: r.Message, attrs: map[string]string{}}
	r.Attrs(func(a slog.Attr) bool { l.attrs[a.Key] = a.Value.String(); return true })
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lines = append(h.lines, l)
	return nil
}

func (h *logRecorder) messages() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, l := range h.lines {
		out = append(out, l.msg)
	}
	return out
}

func TestRateLog(t *testing.T) {
	rec := &logRecorder{}
	t0 := time.Unix(1800000000, 0)
	l := newRateLog(slog.New(rec), 2, 10*time.Second)
	for i := range 10 {
		l.Log(t0.Add(time.Duration(i)*time.Millisecond), slog.LevelWarn, "transfer refused", "n", i)
	}
	l.Log(t0, slog.LevelWarn, "tsig verification failed")
	if got, want := rec.messages(), []string{"transfer refused", "transfer refused", "tsig verification failed"}; !slices.Equal(got, want) {
		t.Fatalf("logged %q, want %q", got, want)
	}
	l.flush(t0.Add(5*time.Second), false) // the interval is not over
	if n := len(rec.messages()); n != 3 {
		t.Fatalf("flush before the interval ended logged %d lines, want none more", n-3)
	}
	l.flush(t0.Add(10*time.Second), false)
	lines := rec.lines[3:]
	if len(lines) != 1 || lines[0].msg != "log lines suppressed" || lines[0].attrs["message"] != "transfer refused" ||
		lines[0].attrs["suppressed"] != "8" || lines[0].attrs["logged"] != "2" || lines[0].attrs["interval"] != "10s" {
		t.Fatalf("summary %+v, want one line: transfer refused, 8 suppressed, 2 logged, 10s", lines)
	}
	l.Log(t0.Add(11*time.Second), slog.LevelWarn, "transfer refused") // a new interval logs again
	if got := rec.messages(); got[len(got)-1] != "transfer refused" {
		t.Errorf("the next interval's first line was not logged: %q", got)
	}
	if got, want := l.suppressed(), []LogCount{{"transfer refused", 8}}; !slices.Equal(got, want) {
		t.Errorf("suppressed %v, want %v", got, want)
	}
}

// TestRefusedTransferFloodLogs: a flood of refused transfers logs the
// burst, then one summary line per interval, and the metrics still
// count each refusal.
func TestRefusedTransferFloodLogs(t *testing.T) {
	rec := &logRecorder{}
	now := time.Unix(1800000000, 0)
	s, err := New(Config{Now: func() time.Time { return now }, Zones: []ZoneConfig{{Name: "example.com."}}}, slog.New(rec))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(parseZone(t, "example.com.", testZone)); err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		w := newRecorder(t, true, "192.0.2.7")
		s.ServeDNS(w, query("example.com.", dns.TypeAXFR))
		if w.only().Rcode != dns.RcodeRefused {
			t.Fatal("transfer not refused")
		}
	}
	if err := s.Shutdown(context.Background()); err != nil { // writes the last summary
		t.Fatal(err)
	}
	var refused, summaries int
	for _, l := range rec.lines {
		switch l.msg {
		case "transfer refused":
			refused++
		case "log lines suppressed":
			summaries++
		}
	}
	if refused != 5 || summaries != 1 {
		t.Errorf("%d refusal lines and %d summaries for 1000 refusals, want 5 and 1", refused, summaries)
	}
	st := s.Stats()
	if len(st.TransferCounts) != 1 || st.TransferCounts[0].Count != 1000 {
		t.Errorf("TransferCounts %v, want 1000 refused", st.TransferCounts)
	}
	if want := []LogCount{{"transfer refused", 995}}; !slices.Equal(st.LogsSuppressed, want) {
		t.Errorf("LogsSuppressed %v, want %v", st.LogsSuppressed, want)
	}
}
