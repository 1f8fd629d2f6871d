package failover

import (
	"context"
	"sync"
	"time"
)

// batcher collects decisions waiting to be published. add never blocks.
type batcher struct {
	mu      sync.Mutex
	pending []Decision
	wake    chan struct{} // holds one signal while decisions wait
}

func newBatcher() batcher { return batcher{wake: make(chan struct{}, 1)} }

func (b *batcher) add(ds []Decision) {
	if len(ds) == 0 {
		return
	}
	b.mu.Lock()
	b.pending = append(b.pending, ds...)
	b.mu.Unlock()
	b.signal()
}

// requeue puts back a batch that failed to publish, ahead of newer ones.
func (b *batcher) requeue(ds []Decision) {
	b.mu.Lock()
	b.pending = append(ds, b.pending...)
	b.mu.Unlock()
}

func (b *batcher) signal() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func (b *batcher) take() []Decision {
	b.mu.Lock()
	defer b.mu.Unlock()
	ds := b.pending
	b.pending = nil
	return ds
}

// publishLoop waits for a first decision, lets the coalescing window (if
// any) pass so that later ones join it, and publishes them in one call. After a
// failure it waits RetryDelay and tries again with the batch and whatever
// joined it. When stop is closed it publishes what is left and returns.
func (l *Loop) publishLoop(ctx context.Context, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			l.flush(ctx)
			return
		case <-l.batch.wake:
		}
		if l.cfg.Coalesce > 0 && !l.wait(stop, l.cfg.Coalesce) {
			l.flush(ctx)
			return
		}
		for !l.publish(ctx) {
			if !l.wait(stop, l.cfg.RetryDelay) {
				l.flush(ctx)
				return
			}
		}
	}
}

// flush is the last publish at shutdown.
func (l *Loop) flush(ctx context.Context) {
	if !l.publish(ctx) {
		l.log.Error("decisions left unpublished at shutdown", "decisions", len(l.batch.take()))
	}
}

// wait waits d; it reports false if stop closed first.
func (l *Loop) wait(stop <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-stop:
		return false
	}
}

// publish hands the pending decisions to the publisher, bounded by
// PublishTimeout but not cut short by shutdown, so a write in progress
// finishes. It reports false after a failure, with the batch queued again.
func (l *Loop) publish(ctx context.Context) bool {
	ds := l.batch.take()
	if len(ds) == 0 {
		return true
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.cfg.PublishTimeout)
	defer cancel()
	snap := Snapshot{Active: l.cfg.Engine.ActiveTargets(), Decisions: ds, At: l.cfg.Now()}
	if err := l.cfg.Publisher.Publish(pctx, snap); err != nil {
		l.log.Error("publish failed", "decisions", len(ds), "retry_in", l.cfg.RetryDelay, "err", err)
		l.batch.requeue(ds)
		return false
	}
	l.log.Info("published", "decisions", len(ds))
	return true
}
