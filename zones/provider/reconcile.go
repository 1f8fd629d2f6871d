package provider

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Drift is a record that does not hold what was published, with what an
// alert or an audit line needs to say about it.
type Drift struct {
	Provider string // Config.Name
	Zone     string // "example.com."
	Record   Record // as configured (name relative to the zone)
	FQDN     string // "www.example.com."
	Want     []netip.Addr
	Live     []string // the values the provider holds, as it spells them; empty: none
	// TTL says Live are the wanted addresses, held with another TTL
	// (LiveTTL) than the record's (WantTTL): a TTL drift.
	TTL              bool
	LiveTTL, WantTTL time.Duration
	Policy           string    // DriftFix or DriftReport
	Fixed            bool      // Policy is "fix" and the record was put back
	FixError         string    // Policy is "fix" and putting it back failed: why
	At               time.Time // when it was found
	// Tell says the drift is to be logged and printed now: it is new, it
	// changed, or it was last told an hour ago (DriftRemindEvery) or more.
	// A drift left standing is not repeated at every read-back.
	Tell bool
}

// DriftRemindEvery is how often a standing drift is logged and printed
// again (Drift.Tell).
const DriftRemindEvery = time.Hour

// String says what drifted and what was done, in one line:
// "www.example.com. A holds 203.0.113.99, want 198.51.100.20; put back".
func (d Drift) String() string {
	live := strings.Join(d.Live, ",")
	if live == "" {
		live = "nothing"
	}
	var want []string
	for _, a := range d.Want {
		want = append(want, a.String())
	}
	s := fmt.Sprintf("%s %s holds %s, want %s; ", d.FQDN, d.Record.Type, live, strings.Join(want, ","))
	if d.TTL {
		s = fmt.Sprintf("%s %s holds %s with TTL %d, want TTL %d; ", d.FQDN, d.Record.Type, live, d.LiveTTL/time.Second, d.WantTTL/time.Second)
	}
	switch {
	case d.Fixed:
		return s + "put back"
	case d.Policy == DriftReport:
		return s + "reported only (on_drift: report)"
	case d.FixError != "":
		return s + "putting it back failed: " + d.FixError
	}
	return s + "not put back"
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
	p.status.saw(p.cfg, live, p.clock())
	drift, drifted := p.findDrift(ts, live)
	if len(drift) > 0 && p.cfg.OnDrift == DriftFix {
		err = p.retry(ctx, "fix drift", func(ctx context.Context) error { return p.sync(ctx, drifted) })
		for i, t := range drifted {
			// Each record's own outcome: one whose fix failed does not
			// make the others' fail.
			drift[i].FixError = errorOf(err, t.index)
			drift[i].Fixed = drift[i].FixError == ""
		}
	}
	p.status.drifted(ts, drifted, drift, p.clock())
	for _, d := range drift {
		if !d.Tell {
			continue
		}
		p.log.Warn("provider record drifted from what was published", "record", p.label(d.Record),
			"want", d.Want, "live", d.Live, "drift", d.String(), "on_drift", p.cfg.OnDrift, "fixed", d.Fixed)
	}
	err = errors.Join(err, terr)
	p.status.done(p.clock(), err)
	return drift, err
}

// findDrift returns the targets whose live values differ from want, or
// are held with another TTL than the record's (a proxied Cloudflare
// record's automatic TTL is not one).
func (p *Publisher) findDrift(ts []target, live liveSet) ([]Drift, []target) {
	var drift []Drift
	var drifted []target
	for _, t := range ts {
		vs := live[t.key()]
		d := Drift{Provider: p.cfg.Name, Zone: p.cfg.Zone, Record: t.rec, FQDN: p.fqdn(t.rec),
			Want: t.want, Live: rawValues(vs), Policy: p.cfg.OnDrift, At: p.clock()}
		if got := live.addrs(t.rec); slices.Equal(got, t.want) && len(got) == len(vs) {
			ttl, bad := live.wrongTTL(t.rec)
			if !bad {
				continue
			}
			d.TTL, d.LiveTTL, d.WantTTL = true, ttl, t.rec.TTL
		}
		drift = append(drift, d)
		drifted = append(drifted, t)
	}
	return drift, drifted
}
