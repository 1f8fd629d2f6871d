package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/zonerw/zonerw/cmd/zonerw/statedir"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones/provider/sink"
)

// dryRunOnce is `zonerw --dry-run`: a full pass (probes and decisions
// included) that only prints what it would do. It takes no lock and writes
// no file, no state and no provider record.
func dryRunOnce(ctx context.Context, a *app, providers *providerSet, stdout, stderr io.Writer) int {
	st, err := statedir.Load(a.cfg.StateDir)
	if err != nil {
		fmt.Fprintf(stderr, "warning: %v; a run sets it aside and starts from an empty state\n", err)
		st = statedir.New()
	}
	engine := failover.NewEngine(a.services, st.Services)
	round := a.probeRound(ctx)
	for _, o := range round.Observations {
		fmt.Fprintf(stdout, "probe %s/%s: %s\n", o.Service, o.Target, okWord(o.OK, o.Reason))
	}
	for _, d := range engine.Apply(round).Decisions {
		fmt.Fprintf(stdout, "would switch %s\n", d)
	}
	v := a.values(engine.ActiveTargets())
	pipe, err := newZonePipeline(a, st, slog.New(slog.DiscardHandler), nil, true)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	failed := false
	compiled, _ := compileAll(a)
	for i, c := range pipe.Plan(compiled, v, false) {
		z := compiled[i].Zone
		switch {
		case z.Output == "":
		case c.Err != nil:
			fmt.Fprintln(stderr, c.Err)
			failed = true
		case c.Changed || !outputHolds(z, c.Serial):
			fmt.Fprintf(stdout, "zone %s: would write %s with serial %d\n", z.Name, z.Output, c.Serial)
		default:
			fmt.Fprintf(stdout, "zone %s: unchanged (serial %d)\n", z.Name, c.Serial)
		}
	}
	for _, s := range providers.sinks(st.Providers, sink.DryRun, func(s string) { fmt.Fprintln(stdout, s) }) {
		if err := s.Deliver(ctx, v); err != nil {
			fmt.Fprintln(stderr, err)
			failed = true
		}
	}
	if failed {
		return exitFailure
	}
	return exitOK
}
