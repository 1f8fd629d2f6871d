package alert

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zonerw/zonerw/dnsserver"
)

// fakeSink fails its first `fail` attempts, then succeeds. With block set,
// each Send first reports on started and waits for release or ctx.
type fakeSink struct {
	fail    int
	block   bool
	started chan Event
	release chan struct{}

	mu       sync.Mutex
	attempts int
	got      []Event
}

func (f *fakeSink) Name() string { return "fake" }

func (f *fakeSink) Send(ctx context.Context, ev Event) error {
	if f.block {
		f.started <- ev
		select {
		case <-f.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempts++
	if f.attempts <= f.fail {
		return fmt.Errorf("attempt %d failed", f.attempts)
	}
	f.got = append(f.got, ev)
	return nil
}

// counts records Count calls.
type counts struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *counts) count(sink, outcome string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]int{}
	}
	c.m[outcome]++
}

func (c *counts) get() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m
}

// recordSleep records the waits and returns at once.
type recordSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *recordSleep) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waits = append(r.waits, d)
	return ctx.Err()
}

func TestRetriesWithBackoffAndJitter(t *testing.T) {
	tests := []struct {
		name      string
		fail      int
		jitter    float64
		wantWaits []time.Duration // with no jitter
		want      map[string]int
	}{
		{"first try", 0, -1, nil, map[string]int{"sent": 1}},
		{"no jitter", 3, -1, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, map[string]int{"sent": 1, "retry": 3}},
		{"capped and given up", 10, -1, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second}, map[string]int{"failed": 1, "retry": 4}},
		{"jittered", 3, 0.5, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, map[string]int{"sent": 1, "retry": 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &fakeSink{fail: tt.fail}
			var c counts
			var s recordSleep
			d := New(Options{Sinks: []Sink{sink}, Attempts: 5, Backoff: time.Second, MaxBackoff: 4 * time.Second,
				Sleep: s.sleep, Jitter: tt.jitter, Count: c.count})
			d.Send(switchEvent)
			d.Close(context.Background())
			if len(s.waits) != len(tt.wantWaits) {
				t.Fatalf("waits %v, want %d of them", s.waits, len(tt.wantWaits))
			}
			for i, w := range s.waits {
				lo, hi := tt.wantWaits[i], tt.wantWaits[i]
				if tt.jitter > 0 {
					lo, hi = lo/2, lo*3/2
				}
				if w < lo || w > hi {
					t.Errorf("wait %d: %v, want within [%v, %v]", i, w, lo, hi)
				}
			}
			if fmt.Sprint(c.get()) != fmt.Sprint(tt.want) {
				t.Errorf("counts %v, want %v", c.get(), tt.want)
			}
		})
	}
}

// TestSendNeverBlocks: while the sink is stuck, Send still returns; what
// does not fit the queue is dropped and counted; the rest is delivered.
func TestSendNeverBlocks(t *testing.T) {
	sink := &fakeSink{block: true, started: make(chan Event, 10), release: make(chan struct{})}
	var c counts
	d := New(Options{Sinks: []Sink{sink}, Queue: 1, Count: c.count})
	d.Send(Event{Kind: Switch, Service: "a"})
	<-sink.started                            // the worker holds the first event
	d.Send(Event{Kind: Switch, Service: "b"}) // queued
	d.Send(Event{Kind: Switch, Service: "c"}) // dropped
	d.Send(Event{Kind: Switch, Service: "d"}) // dropped
	close(sink.release)
	d.Close(context.Background())
	if got := c.get(); got["sent"] != 2 || got["dropped"] != 2 {
		t.Errorf("counts %v, want 2 sent and 2 dropped", got)
	}
	var names []string
	for _, ev := range sink.got {
		names = append(names, ev.Service)
	}
	if !slices.Equal(names, []string{"a", "b"}) {
		t.Errorf("delivered %v, want [a b] in order", names)
	}
}

// TestCloseGivesUp: Close returns when its ctx is done even if a sink
// hangs; the attempt is cancelled and counted as failed, the queued
// event dropped, and a Send after Close is dropped without a panic.
func TestCloseGivesUp(t *testing.T) {
	sink := &fakeSink{block: true, started: make(chan Event, 10), release: make(chan struct{})}
	var c counts
	var logs bytes.Buffer
	d := New(Options{Sinks: []Sink{sink}, Count: c.count, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	d.Send(switchEvent)
	<-sink.started
	d.Send(switchEvent)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d.Close(ctx)
	d.Send(switchEvent)
	if got := c.get(); got["failed"] != 1 || got["dropped"] != 2 || got["sent"] != 0 {
		t.Errorf("counts %v, want 1 failed, 2 dropped", got)
	}
	if !strings.Contains(logs.String(), `msg="alert failed" sink=fake kind=switch service=web`) {
		t.Errorf("log lacks the failure line:\n%s", logs.String())
	}
}

// TestFailedWebhookLogNamesNoSecret runs a real webhook through the
// dispatcher to a closed port and reads the log it leaves.
func TestFailedWebhookLogNamesNoSecret(t *testing.T) {
	var logs bytes.Buffer
	var c counts
	var s recordSleep
	d := New(Options{
		Sinks: []Sink{&Webhook{URL: "http://" + closedAddr(t) + "/services/T0/B0/secret-token", Timeout: 5 * time.Second}},
		Sleep: s.sleep, Count: c.count, Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	d.Send(switchEvent)
	d.Close(context.Background())
	if got := c.get(); got["failed"] != 1 || got["retry"] != 4 {
		t.Errorf("counts %v, want 4 retries then failed", got)
	}
	if !strings.Contains(logs.String(), "connection refused") {
		t.Errorf("log does not say why:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "secret-token") {
		t.Errorf("log leaks the webhook URL:\n%s", logs.String())
	}
}

func TestSecondaryWatch(t *testing.T) {
	a := netip.MustParseAddrPort("127.0.0.2:53")
	behind := dnsserver.SecondaryState{Addr: a, Target: 7, Serial: 6, Acked: true, Notified: t0}
	silent := dnsserver.SecondaryState{Addr: a, Target: 7, Serial: 6, Notified: t0, LastError: "read udp: i/o timeout"}
	tests := []struct {
		name  string
		steps []dnsserver.SecondaryState
		at    []time.Duration // time after t0 of each step
		want  []string        // kinds raised at each step
	}{
		{"caught up in time", []dnsserver.SecondaryState{behind, {Addr: a, Target: 7, Serial: 7, Notified: t0}},
			[]time.Duration{time.Minute, 10 * time.Minute}, []string{"", ""}},
		{"stuck once per serial", []dnsserver.SecondaryState{behind, behind, behind, {Addr: a, Target: 8, Serial: 6, Notified: t0.Add(6 * time.Minute)}, {Addr: a, Target: 8, Serial: 6, Notified: t0.Add(6 * time.Minute)}},
			[]time.Duration{4 * time.Minute, 5 * time.Minute, 6 * time.Minute, 7 * time.Minute, 11 * time.Minute}, []string{"", "secondary_behind", "", "", "secondary_behind"}},
		{"notify failing then behind", []dnsserver.SecondaryState{silent, silent, silent},
			[]time.Duration{30 * time.Second, time.Minute, 5 * time.Minute}, []string{"", "notify_failing", "secondary_behind"}},
		{"nothing published", []dnsserver.SecondaryState{{Addr: a}}, []time.Duration{time.Hour}, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w SecondaryWatch
			for i, s := range tt.steps {
				var kinds []string
				for _, ev := range w.Check("example.com", []dnsserver.SecondaryState{s}, t0.Add(tt.at[i])) {
					kinds = append(kinds, string(ev.Kind))
					if ev.Zone != "example.com" || ev.Secondary != "127.0.0.2:53" || ev.Reason == "" {
						t.Errorf("step %d: event %+v lacks zone, secondary or reason", i, ev)
					}
				}
				if got := strings.Join(kinds, ","); got != tt.want[i] {
					t.Errorf("step %d: raised %q, want %q", i, got, tt.want[i])
				}
			}
		})
	}
}
