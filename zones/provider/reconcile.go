package provider

import (
	"context"
	"errors"
	"net/netip"
	"slices"
)

// Drift is a record that does not hold what was published.
type Drift struct {
	Record Record
	Want   []netip.Addr
	Live   []string // the values the provider holds, as it spells them
	Fixed  bool     // OnDrift is "fix" and the record was put back
}

// Reconcile reads the records back and compares them with want. With
// OnDrift "fix" it puts drifted records back (as Publish does); with
// "report" it only returns and logs them.
func (p *Publisher) Reconcile(ctx context.Context, want map[string][]netip.Addr) ([]Drift, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ts, terr := p.targets(want)
	p.status.wanted(ts)
	var live liveSet
	err := p.retry(ctx, "reconcile", func(ctx context.Context) (err error) {
		live, err = p.read(ctx)
		return err
	})
	if err != nil {
		err = errors.Join(err, terr)
		p.status.done(p.clock(), err)
		return nil, err
	}
	p.status.saw(p.cfg, live)
	drift, drifted := p.findDrift(ts, live)
	if len(drift) > 0 && p.cfg.OnDrift == DriftFix {
		err = p.retry(ctx, "fix drift", func(ctx context.Context) error { return p.sync(ctx, drifted) })
		for i := range drift {
			drift[i].Fixed = err == nil
		}
	}
	for _, d := range drift {
		p.log.Warn("provider record drifted from what was published", "record", p.label(d.Record),
			"want", d.Want, "live", d.Live, "on_drift", p.cfg.OnDrift, "fixed", d.Fixed)
	}
	err = errors.Join(err, terr)
	p.status.done(p.clock(), err)
	return drift, err
}

// findDrift returns the targets whose live values differ from want.
func (p *Publisher) findDrift(ts []target, live liveSet) ([]Drift, []target) {
	var drift []Drift
	var drifted []target
	for _, t := range ts {
		vs := live[t.key()]
		if got := live.addrs(t.rec); slices.Equal(got, t.want) && len(got) == len(vs) {
			continue
		}
		drift = append(drift, Drift{Record: t.rec, Want: t.want, Live: rawValues(vs)})
		drifted = append(drifted, t)
	}
	return drift, drifted
}
