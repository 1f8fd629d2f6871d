package alert

import (
	"github.com/cenkalti/backoff/v5"
)

// run delivers a sink's events in order until its queue is closed.
func (d *Dispatcher) run(w *worker) {
	for ev := range w.queue {
		if d.ctx.Err() != nil {
			d.drop(w.sink, ev, "zonerw is shutting down")
			continue
		}
		d.deliver(w.sink, ev)
	}
}

// deliver tries ev on s up to Attempts times with backoff between tries.
func (d *Dispatcher) deliver(s Sink, ev Event) {
	var err error
	b := d.newBackOff()
	for n := 1; n <= d.opt.Attempts; n++ {
		if err = s.Send(d.ctx, ev); err == nil {
			d.opt.Count(s.Name(), "sent")
			return
		}
		if n == d.opt.Attempts || d.ctx.Err() != nil {
			break
		}
		d.opt.Count(s.Name(), "retry")
		wait := b.NextBackOff()
		d.opt.Log.Debug("alert failed; retrying", "sink", s.Name(), "kind", string(ev.Kind), "attempt", n, "wait", wait, "err", err)
		if d.opt.Sleep(d.ctx, wait) != nil {
			break
		}
	}
	d.opt.Log.Error("alert failed", "sink", s.Name(), "kind", string(ev.Kind), "service", ev.Service, "zone", ev.Zone, "err", err)
	d.opt.Count(s.Name(), "failed")
}

// newBackOff is the wait schedule of one event's delivery (cenkalti's
// exponential backoff): Backoff after the first failure, doubling up to
// MaxBackoff, each wait drawn within half of it either way so that many
// zonerw hosts do not retry in step.
func (d *Dispatcher) newBackOff() *backoff.ExponentialBackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval, b.Multiplier, b.RandomizationFactor = d.opt.Backoff, d.opt.MaxBackoff, 2, d.opt.Jitter
	return b
}
