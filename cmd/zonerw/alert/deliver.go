package alert

import (
	"time"
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
	for n := 1; n <= d.opt.Attempts; n++ {
		if err = s.Send(d.ctx, ev); err == nil {
			d.opt.Count(s.Name(), "sent")
			return
		}
		if n == d.opt.Attempts || d.ctx.Err() != nil {
			break
		}
		d.opt.Count(s.Name(), "retry")
		wait := d.backoff(n)
		d.opt.Log.Debug("alert failed; retrying", "sink", s.Name(), "kind", string(ev.Kind), "attempt", n, "wait", wait, "err", err)
		if d.opt.Sleep(d.ctx, wait) != nil {
			break
		}
	}
	d.opt.Log.Error("alert failed", "sink", s.Name(), "kind", string(ev.Kind), "service", ev.Service, "zone", ev.Zone, "err", err)
	d.opt.Count(s.Name(), "failed")
}

// backoff is the wait after the n-th failed attempt: Backoff doubled n-1
// times, capped at MaxBackoff, of which the upper half is random so that
// many zonerw hosts do not retry in step.
func (d *Dispatcher) backoff(n int) time.Duration {
	b := d.opt.Backoff
	for i := 1; i < n && b < d.opt.MaxBackoff; i++ {
		b *= 2
	}
	b = min(b, d.opt.MaxBackoff)
	half := b / 2
	return half + time.Duration(d.opt.Rand(int64(half)+1))
}
