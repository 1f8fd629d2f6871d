package provider

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
)

// Publish makes each record hold exactly its service's addresses in want
// (service -> addresses; an A record takes the IPv4 ones, AAAA the IPv6
// ones). It adds new values before removing old ones, then reads the zone
// back to verify, retrying with backoff (and Retry-After) within ctx. A
// record whose service has no address of its family is left unchanged and
// reported in the error (FailureNoAddress). A refused credential, a
// missing permission or a missing zone stops it at once; Classify tells
// which.
func (p *Publisher) Publish(ctx context.Context, want map[string][]netip.Addr) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	ts, terr := p.targets(want)
	p.status.wanted(ts)
	err := p.retry(ctx, "publish", func(ctx context.Context) error { return p.sync(ctx, ts) })
	if err == nil {
		p.status.settled(ts)
	}
	err = errors.Join(err, terr)
	p.status.done(p.clock(), err)
	return err
}

// sync is one attempt: read the zone, change what differs, read it back.
// It is safe to repeat after any failure, because it starts from what the
// provider holds.
func (p *Publisher) sync(ctx context.Context, ts []target) error {
	live, err := p.read(ctx)
	if err != nil {
		return err
	}
	p.status.saw(p.cfg, live, p.clock())
	changed := false
	for _, t := range ts {
		proxied := live.proxied(t.rec)
		for _, s := range planSteps(p.inPlace(), t.want, live[t.key()]) {
			if err := p.apply(ctx, t, s, proxied); err != nil {
				return err
			}
			p.log.Info("provider record changed", "change", p.describe(t.rec, s, proxied))
			changed = true
		}
	}
	if !changed {
		return nil
	}
	if live, err = p.read(ctx); err != nil {
		return err
	}
	p.status.saw(p.cfg, live, p.clock())
	return p.verify(ts, live)
}

// verify checks that every target holds exactly its wanted addresses.
func (p *Publisher) verify(ts []target, live liveSet) error {
	var errs []error
	for _, t := range ts {
		if got := live.addrs(t.rec); !slices.Equal(got, t.want) || len(live[t.key()]) != len(got) {
			errs = append(errs, fmt.Errorf("%s: %s: read back %v, want %v: %w", p.cfg.Name, p.label(t.rec), rawValues(live[t.key()]), t.want, errMismatch))
		}
	}
	return errors.Join(errs...)
}

func rawValues(vs []liveValue) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.raw.Data
	}
	return out
}
