package alert

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Sink delivers one event. Send makes one attempt and returns when it is
// done or ctx is; an error means the attempt failed and may be retried.
type Sink interface {
	Name() string // for logs and metrics; never holds a secret
	Send(ctx context.Context, ev Event) error
}

// Options configure a Dispatcher. Only Sinks is required.
type Options struct {
	Sinks []Sink
	// Queue is how many events may wait per sink; more are dropped and
	// counted. Zero means 64.
	Queue int
	// Attempts per event and sink; zero means 5.
	Attempts int
	// Backoff is the wait after the first failed attempt; it doubles after
	// each further failure up to MaxBackoff. Zero means 2s and 1m.
	Backoff, MaxBackoff time.Duration
	// Sleep waits d or until ctx is done (tests inject one); nil waits on
	// a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter is how far each wait may stray from the schedule, as a
	// fraction of it either way (default 0.5; a negative value none).
	Jitter float64
	// Count is told each outcome: "sent", "failed", "dropped" or "retry".
	Count func(sink, outcome string)
	Log   *slog.Logger
}

// Dispatcher hands events to its sinks, one worker and one bounded queue
// per sink, so a slow webhook does not delay a command hook.
type Dispatcher struct {
	opt     Options
	ctx     context.Context // cancelled when Close gives up waiting
	cancel  context.CancelFunc
	workers []*worker
	wg      sync.WaitGroup

	mu     sync.RWMutex // guards closed against Send
	closed bool
}

type worker struct {
	sink  Sink
	queue chan Event
}

// New starts a worker for each sink.
func New(o Options) *Dispatcher {
	fill(&o)
	d := &Dispatcher{opt: o}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	for _, s := range o.Sinks {
		w := &worker{sink: s, queue: make(chan Event, o.Queue)}
		d.workers = append(d.workers, w)
		d.wg.Go(func() { d.run(w) })
	}
	return d
}

func fill(o *Options) {
	if o.Queue <= 0 {
		o.Queue = 64
	}
	if o.Attempts <= 0 {
		o.Attempts = 5
	}
	if o.Backoff <= 0 {
		o.Backoff = 2 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Minute
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	switch {
	case o.Jitter == 0:
		o.Jitter = 0.5
	case o.Jitter < 0:
		o.Jitter = 0
	}
	if o.Count == nil {
		o.Count = func(string, string) {}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}

// Send queues ev for every sink and returns at once. When a sink's queue
// is full, or the Dispatcher is closed, the event is dropped for that sink,
// logged and counted.
func (d *Dispatcher) Send(ev Event) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, w := range d.workers {
		if d.closed {
			d.drop(w.sink, ev, "zonerw is shutting down")
			continue
		}
		select {
		case w.queue <- ev:
		default:
			d.drop(w.sink, ev, "the queue is full")
		}
	}
}

func (d *Dispatcher) drop(s Sink, ev Event, why string) {
	d.opt.Log.Warn("alert dropped", "sink", s.Name(), "kind", string(ev.Kind), "why", why)
	d.opt.Count(s.Name(), "dropped")
}

// Close stops taking events and lets the workers deliver what is queued
// until ctx is done; then it cancels the attempts in progress, drops the
// rest and waits for the workers to return.
func (d *Dispatcher) Close(ctx context.Context) {
	d.mu.Lock()
	if !d.closed {
		d.closed = true
		for _, w := range d.workers {
			close(w.queue)
		}
	}
	d.mu.Unlock()
	done := make(chan struct{})
	go func() {
		d.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		d.cancel()
		<-done
	}
	d.cancel()
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
