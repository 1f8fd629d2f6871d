package publish

import (
	"context"
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
	waitFor(t, "the first calls", func() bool { return held.count() == 1 && limited.count() == 1 })
	_, vs := p.Status()
	for _, d := range vs {
		if d.Failures != 1 || d.RetryAt.Before(now.Add(time.Hour)) {
			t.Errorf("%s after its failure: %+v; want a retry in an hour or more", d.Name, d)
		}
	}
	p.Publish(onBackup())
	waitFor(t, "the held destination to try the new value", func() bool { return held.count() == 2 })
	p.SetValueDestinations([]NamedValueDestination{
		{Name: "held", Dest: held, Timeout: time.Second, Retry: slow},
		{Name: "limited", Dest: limited, Timeout: time.Second, Retry: slow},
	})
	waitFor(t, "the held destination to try the new destination", func() bool { return held.count() == 3 })
	time.Sleep(50 * time.Millisecond) // room for a wrong call; not a wait for an event
	if n := limited.count(); n != 1 {
		t.Errorf("the destination that asked for an hour (Retry-After) was called %d times", n)
	}
}
