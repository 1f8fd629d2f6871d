package failover

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/zonerw/zonerw/probe"
)

// world is the set of fake targets a loop test probes: each is up or down
// as the test says, and every check is recorded with its (bubble) time.
type world struct {
	mu    sync.Mutex
	up    map[string]bool // "service/target" -> up
	calls []call
}

type call struct {
	name string
	at   time.Time
}

func newWorld(up map[string]bool) *world { return &world{up: up} }

func (w *world) set(name string, up bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.up[name] = up
}

func (w *world) check(service, target string) Check {
	name := service + "/" + target
	return Check{Name: target, Run: func(ctx context.Context) probe.Result {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.calls = append(w.calls, call{name, time.Now()})
		if w.up[name] {
			return probe.Result{OK: true, Reason: "HTTP 200"}
		}
		return probe.Result{Reason: "connect: connection refused"}
	}}
}

func (w *world) callsTo(name string) []time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []time.Time
	for _, c := range w.calls {
		if c.name == name {
			out = append(out, c.at)
		}
	}
	return out
}

// job is a service on "@every 1s" with main and backup in w.
func (w *world) job(service string) Job {
	return Job{Service: service, Spec: "@every 1s", Timeout: 300 * time.Millisecond,
		Targets: []Check{w.check(service, "main"), w.check(service, "backup")}}
}

// publisher records every snapshot; the first `fail` calls fail.
type publisher struct {
	mu    sync.Mutex
	fail  int
	snaps []Snapshot
	tries int
}

func (p *publisher) Publish(ctx context.Context, s Snapshot) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tries++
	if p.tries <= p.fail {
		return errors.New("zone write failed")
	}
	p.snaps = append(p.snaps, s)
	return nil
}

func (p *publisher) attempts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tries
}

func (p *publisher) published() []Snapshot {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Snapshot(nil), p.snaps...)
}

// recorder keeps every outcome handed to Record.
type recorder struct {
	mu  sync.Mutex
	out []Outcome
}

func (r *recorder) Record(o Outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.out = append(r.out, o)
}

func (r *recorder) events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var evs []Event
	for _, o := range r.out {
		evs = append(evs, o.Events...)
	}
	return evs
}

// logs is a slog handler that keeps every record.
type logs struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *logs) Enabled(context.Context, slog.Level) bool { return true }
func (h *logs) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *logs) WithGroup(string) slog.Handler            { return h }
func (h *logs) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r.Clone())
	return nil
}

// find returns the attributes of the first record with the message.
func (h *logs) find(msg string) (map[string]string, slog.Level, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.records {
		if r.Message == msg {
			attrs := map[string]string{}
			r.Attrs(func(a slog.Attr) bool {
				attrs[a.Key] = a.Value.String()
				return true
			})
			return attrs, r.Level, true
		}
	}
	return nil, 0, false
}

// running starts l.Run in the bubble and returns a stop function that
// cancels it and waits for Run to return. Stop also runs at cleanup, so a
// failed test does not leave the loop behind.
func running(t *testing.T, l *Loop) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// twoServices is an engine over web and mail, each main then backup,
// rise 1 fall 1.
func twoServices(opts ...Option) *Engine {
	web := webService(1, 1)
	mail := webService(1, 1)
	mail.Name = "mail"
	return NewEngine([]Service{web, mail}, nil, opts...)
}
