package sink

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Verifier reads each sink's records back every VerifyEvery, each on its
// own timer: a hand-made change is put back (or reported) within that
// time. It is the daemon's read-back; cron mode reads back in Deliver.
type Verifier struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// StartVerifier starts the read-back timers of sinks. Each read-back is
// bounded by deadline; a failed one is logged and tried again at the next
// tick; saved is called after each, to keep the state file up to date.
func StartVerifier(sinks []*Sink, deadline time.Duration, log *slog.Logger, saved func()) *Verifier {
	ctx, cancel := context.WithCancel(context.Background())
	v := &Verifier{cancel: cancel}
	for _, s := range sinks {
		v.wg.Go(func() {
			t := time.NewTicker(s.VerifyEvery())
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					vctx, cancel := context.WithTimeout(ctx, deadline)
					if err := s.Verify(vctx); err != nil {
						log.Error("provider read-back failed; tried again at the next check", "err", err)
					}
					cancel()
					saved()
				}
			}
		})
	}
	return v
}

// Stop stops the timers and waits for a read-back in progress. A nil
// Verifier has nothing to stop.
func (v *Verifier) Stop() {
	if v == nil {
		return
	}
	v.cancel()
	v.wg.Wait()
}
