package main

import (
	"cmp"
	"context"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/zonerw/zonerw/failover"
)

// probeAll probes every target of every service once, all at the same
// time, each bounded by its service's check timeout.
func (a *app) probeAll(ctx context.Context, now func() time.Time) []failover.Observation {
	var (
		mu  sync.Mutex
		out []failover.Observation
		wg  sync.WaitGroup
	)
	for _, s := range a.cfg.Services {
		for _, t := range s.Targets {
			addr := probeAddr(a.targets[s.Name][t.Name].IPv4, a.targets[s.Name][t.Name].IPv6)
			prober, timeout := a.probers[s.Name], s.Check.Timeout
			wg.Go(func() {
				pctx, cancel := context.WithTimeout(ctx, timeout)
				defer cancel()
				r := prober.Probe(pctx, addr)
				mu.Lock()
				defer mu.Unlock()
				out = append(out, failover.Observation{Service: s.Name, Target: t.Name, OK: r.OK, Reason: r.Reason, At: now()})
			})
		}
	}
	wg.Wait()
	a.sortObservations(out)
	return out
}

// probeAddr is the address a target is checked on: its IPv4 address when
// it has one, else its IPv6 address.
func probeAddr(v4, v6 []netip.Addr) netip.Addr {
	if len(v4) > 0 {
		return v4[0]
	}
	return v6[0]
}

// sortObservations puts results in config order so output is stable.
func (a *app) sortObservations(obs []failover.Observation) {
	rank := map[[2]string]int{}
	for _, s := range a.cfg.Services {
		for _, t := range s.Targets {
			rank[[2]string{s.Name, t.Name}] = len(rank)
		}
	}
	slices.SortFunc(obs, func(x, y failover.Observation) int {
		return cmp.Compare(rank[[2]string{x.Service, x.Target}], rank[[2]string{y.Service, y.Target}])
	})
}
