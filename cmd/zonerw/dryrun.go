package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones/publish"
)

// dryRunOnce is `zonerw --dry-run`: a full pass (probes and decisions
// included) that only prints what it would do. It takes no lock and writes
// no file, no state and no provider record.
func dryRunOnce(ctx context.Context, a *app, providers *providerSet, stdout, stderr io.Writer) int {
	st, err := loadState(a.cfg.StateDir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	engine := failover.NewEngine(a.services, st.Services)
	round := a.probeRound(ctx)
	for _, o := range round.Observations {
		fmt.Fprintf(stdout, "probe %s/%s: %s\n", o.Service, o.Target, okWord(o.OK, o.Reason))
	}
	for _, d := range engine.Apply(round).Decisions {
		fmt.Fprintf(stdout, "would switch %s\n", d)
	}
	act := engine.ActiveTargets()
	failed := false
	for _, z := range a.zones {
		if z.Output == "" {
			continue
		}
		plan, err := publish.MakePlan(z, publish.Input{Active: a.active(act), TTL: a.ttls(act), State: st.Zones[z.Name], Now: time.Now()})
		switch {
		case err != nil:
			fmt.Fprintln(stderr, err)
			failed = true
		case plan.Changed || plan.Missing:
			fmt.Fprintf(stdout, "zone %s: would write %s with serial %d\n", z.Name, z.Output, plan.Serial)
		default:
			fmt.Fprintf(stdout, "zone %s: unchanged (serial %d)\n", z.Name, plan.Serial)
		}
	}
	report := func(s string) { fmt.Fprintln(stdout, s) }
	if err := providers.sync(ctx, a.wantedAddrs(act), st.Providers, false, true, report); err != nil {
		fmt.Fprintln(stderr, err)
		failed = true
	}
	if failed {
		return exitFailure
	}
	return exitOK
}
