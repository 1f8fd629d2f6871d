package main

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/failover"
)

// probeRound is one cron-mode round: every target of every service checked
// once, all at the same time, each bounded by its service's check timeout;
// and, when some target failed, the witnesses, so the engine can tell a
// dead main server from a checker that is cut off.
func (a *app) probeRound(ctx context.Context) failover.Round {
	var r failover.Round
	var checks []timedCheck
	for _, j := range a.jobs {
		for _, c := range j.Targets {
			r.Observations = append(r.Observations, failover.Observation{Service: j.Service, Target: c.Name})
			checks = append(checks, timedCheck{c, j.Timeout})
		}
	}
	runChecks(ctx, r.Observations, checks)
	someFailed := false
	for _, o := range r.Observations {
		someFailed = someFailed || !o.OK
	}
	if someFailed && len(a.witness) > 0 {
		checks = checks[:0]
		for i, w := range a.witness {
			r.Witnesses = append(r.Witnesses, failover.Observation{Target: w.Name})
			checks = append(checks, timedCheck{w, a.cfg.Witnesses[i].Timeout})
		}
		runChecks(ctx, r.Witnesses, checks)
	}
	return r
}

type timedCheck struct {
	failover.Check
	timeout time.Duration
}

// runChecks fills obs[i] with the result of checks[i], all in parallel.
func runChecks(ctx context.Context, obs []failover.Observation, checks []timedCheck) {
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, c.timeout)
			defer cancel()
			res := c.Run(cctx)
			obs[i].OK, obs[i].Reason, obs[i].Latency, obs[i].At = res.OK, res.Reason, res.Latency, time.Now()
		})
	}
	wg.Wait()
}

// probeAddrs are the addresses a target is checked on: with the check's
// addresses "all" every one of them, else its first IPv4 address when it
// has one, its first IPv6 address when not.
func probeAddrs(which string, v4, v6 []netip.Addr) []netip.Addr {
	switch {
	case which == config.AddressesAll:
		return append(slices.Clone(v4), v6...)
	case len(v4) > 0:
		return v4[:1]
	}
	return v6[:1]
}
