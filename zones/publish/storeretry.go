package publish

import (
	"context"
	"time"
)

// A version that could not be stored (a full state disk) is served all
// the same (commit); until it is stored, a restart would start from an
// older one. retryStores stores each zone's current version again, with a
// wait that doubles from Config.StoreRetry.Initial to its Max, until every
// zone's is stored: a disk that takes writes again gets the newest
// versions without waiting for the next change.

// storeFailed wakes retryStores. p.mu is held.
func (p *Pipeline) storeFailed() {
	select {
	case p.storeWake <- struct{}{}:
	default:
	}
}

func (p *Pipeline) retryStores(ctx context.Context) {
	r := p.cfg.StoreRetry
	if r.Max <= 0 {
		r.Max = 30 * time.Second
	}
	r = r.withDefaults()
	b := r.newBackOff()
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.storeWake:
		}
		for !p.storeAgain() {
			t := time.NewTimer(b.NextBackOff())
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		b.Reset()
	}
}

// storeAgain stores the current version of every zone whose last store
// failed, and reports whether all of them are stored now. It holds p.mu,
// as commit does, so a retry never stores a version older than one a
// publish stored meanwhile.
func (p *Pipeline) storeAgain() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	all := true
	for _, name := range p.order {
		e := p.zones[name]
		if e.saveErr == nil || e.cur == nil {
			continue
		}
		if err := p.cfg.Store.Save(e.cur.Version); err != nil {
			e.saveErr = err
			all = false
			continue
		}
		e.saveErr = nil
		p.cfg.Log.Info("zone version stored after all", "zone", name, "serial", e.cur.Version.Serial())
	}
	return all
}
