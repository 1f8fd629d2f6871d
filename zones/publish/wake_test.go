package publish

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// countingValues is a value destination that fails every call with err.
type countingValues struct {
	mu    sync.Mutex
	calls int
	err   error
}

func (c *countingValues) Deliver(context.Context, Values) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	return c.err
}

func (c *countingValues) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// heldErr is a failure only a human can fix: hold an hour unless
// something changes.
type heldErr struct{}

func (heldErr) Error() string          { return "token refused" }
func (heldErr) HoldFor() time.Duration { return time.Hour }

// After a failure the worker waits, but a new value or a new destination
// (a reload) ends the wait at once; a Retry-After wait is waited in full.
func TestAWaitEndsOnANewValueOrDestinationButNotARetryAfter(t *testing.T) {
	slow := Retry{Initial: time.Hour, Max: time.Hour} // only a wake can bring a second call
	held := &countingValues{err: heldErr{}}
	limited := &countingValues{err: &backoff.RetryAfterError{Duration: time.Hour}}
	p := newPipeline(t, t.TempDir())
	p.SetValueDestinations([]NamedValueDestination{
		{Name: "held", Dest: held, Timeout: time.Second, Retry: slow},
		{Name: "limited", Dest: limited, Timeout: time.Second, Retry: slow},
	})
	p.Start()
	defer p.Stop(10 * time.Millisecond)

	p.Publish(onMain())
	deadline := time.Now().Add(10 * time.Second)
	for !(held.count() == 1 && limited.count() == 1) {
		if time.Now().After(deadline) {
			_, vs := p.Status()
			t.Fatalf("held called %d times, limited %d; want 1 each; status %+v", held.count(), limited.count(), vs)
		}
		time.Sleep(time.Millisecond)
	}
	_, vs := p.Status()
	for _, d := range vs {
		if d.Failures != 1 || d.RetryAt.Before(now.Add(time.Hour)) {
			t.Errorf("%s after its failure: %+v; want a retry in an hour or more", d.Name, d)
		}
	}
	p.Publish(onBackup())
	waitFor(t, "the held destination to try the new value", func() bool { return held.count() >= 2 })
	tried := held.count()
	p.SetValueDestinations([]NamedValueDestination{
		{Name: "held", Dest: held, Timeout: time.Second, Retry: slow},
		{Name: "limited", Dest: limited, Timeout: time.Second, Retry: slow},
	})
	// SetValueDestinations replaces the destination and offers the value
	// again: one attempt or two, as the two wakes fall; "== 3" could be
	// passed over between polls.
	waitFor(t, "the held destination to try the new destination", func() bool { return held.count() > tried })
	time.Sleep(50 * time.Millisecond) // room for a wrong call; not a wait for an event
	if n := limited.count(); n != 1 {
		t.Errorf("the destination that asked for an hour (Retry-After) was called %d times", n)
	}
}

// A wake for the value being tried, which comes once the worker has
// taken it (offer signals after it lets go of the value), does not end
// the wait after that value fails: only a newer value, or a new
// destination, does. It used to bring an immediate second attempt with
// the same value, a destination that said "hold an hour" included.
func TestAWakeForTheValueTriedDoesNotEndTheWait(t *testing.T) {
	var mu sync.Mutex
	var got []int
	var w *worker[int]
	deliver := func(_ context.Context, v int) error {
		mu.Lock()
		got = append(got, v)
		first := len(got) == 1
		mu.Unlock()
		if first {
			w.signal() // the late signal of the offer this value came from
		}
		return heldErr{}
	}
	w = newWorker("held", deliver, func(int) string { return "" }, time.Second, Retry{Initial: time.Hour, Max: time.Hour}, nil, time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.run(ctx, ctx) }()
	defer func() { cancel(); <-done }()

	w.offer(1)
	waitFor(t, "the first attempt to fail", func() bool { return w.status().Failures >= 1 })
	w.offer(2)
	waitFor(t, "an attempt with the new value", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.Contains(got, 2)
	})
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(got, []int{1, 2}) {
		t.Errorf("attempts with %v, want [1 2]: the wake for 1 ended the hour's wait after it failed", got)
	}
}
