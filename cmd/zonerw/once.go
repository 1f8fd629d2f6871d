package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones/publish"
)

// runOnce is cron mode: probe every target once, update the failover state,
// and rewrite every zone whose rendered content changed.
func runOnce(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("zonerw", "zonerw [-c FILE] [-q] [--force]", stdout, stderr)
	cfgPath := fs.String("c", defaultConfig, "config file")
	quiet := fs.Bool("q", false, "print nothing unless something changed or failed (for cron)")
	force := fs.Bool("force", false, "re-render every zone and bump its serial even if nothing changed (after editing a template)")
	dryRun := fs.Bool("dry-run", false, "probe and decide, then print what would be written and which provider API calls would be made; change nothing")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	out := &reporter{w: stdout, quiet: *quiet}

	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	if *force {
		// A running daemon owns the zones: ask it.
		err := adminCall(ctx, cfg.StateDir, "POST", "/force", nil, nil)
		if err == nil {
			out.changef("zonerw serve re-rendered every zone with a new serial\n")
			return exitOK
		}
		if !errors.Is(err, errNoDaemon) {
			fmt.Fprintln(stderr, err)
			return exitFailure
		}
	}
	// A zone with a broken template is reported and left as it is; the
	// services are still probed and the other zones still follow them.
	a, buildErr := build(cfg)
	if buildErr != nil {
		fmt.Fprintln(stderr, buildErr)
		if *dryRun {
			return exitFailure
		}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	providers, err := buildProviders(cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	if *dryRun {
		return dryRunOnce(ctx, a, providers, stdout, stderr)
	}
	unlock, err := lockState(cfg.StateDir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	defer unlock()
	st, err := loadState(cfg.StateDir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}

	alerts := newCronAlerts(cfg.Alerts, st.Alerted, log)
	providers.observe = alerts.provider
	for name, err := range a.broken {
		alerts.zone(name, err)
	}
	engine := failover.NewEngine(a.services, st.Services)
	round := a.probeRound(ctx)
	for _, o := range round.Observations {
		out.verbosef("probe %s/%s: %s\n", o.Service, o.Target, okWord(o.OK, o.Reason))
	}
	for _, o := range round.Witnesses {
		out.verbosef("witness %s: %s\n", o.Target, okWord(o.OK, o.Reason))
	}
	outcome := engine.Apply(round)
	for _, d := range outcome.Decisions {
		out.changef("switch %s\n", d)
	}
	for _, e := range outcome.Events {
		out.changef("event %s\n", e)
	}
	recorders{newAuditLog(cfg.StateDir, log), alerts}.Record(outcome)
	st.Services = engine.State()

	act := engine.ActiveTargets()
	failed := publishAll(ctx, a, act, st, *force, out, stderr, alerts.zone) || buildErr != nil
	if err := providers.sync(ctx, a.wantedAddrs(act), st.Providers, false, false, func(s string) { out.changef("%s\n", s) }); err != nil {
		fmt.Fprintln(stderr, err)
		failed = true
	}
	failed = failed || providers.stillFailing(st.Providers, time.Now())
	st.Alerted = alerts.finish()
	if err := saveState(cfg.StateDir, st); err != nil {
		fmt.Fprintln(stderr, err)
		failed = true
	}
	if failed {
		return exitFailure
	}
	return exitOK
}

// publishAll plans and applies every zone; it reports whether any failed,
// and tells done how each zone went. A zone that fails keeps its old file
// and state; the others go on.
func publishAll(ctx context.Context, a *app, act map[string][]string, st *stateFile, force bool, out *reporter, stderr io.Writer,
	done func(zone string, err error)) bool {
	failed := false
	now := time.Now()
	for _, z := range a.zones {
		if z.Output == "" {
			out.verbosef("zone %s: no output file; only zonerw serve publishes it\n", z.Name)
			continue
		}
		err := publishOne(ctx, a, z, act, st, force, now, out, stderr)
		if err != nil {
			fmt.Fprintln(stderr, err)
			failed = true
		}
		done(z.Name, err)
	}
	return failed
}

// publishOne renders, writes and reloads one zone, updating st.
func publishOne(ctx context.Context, a *app, z *publish.Zone, act map[string][]string, st *stateFile, force bool, now time.Time,
	out *reporter, stderr io.Writer) error {
	prev := st.Zones[z.Name]
	plan, err := publish.MakePlan(z, publish.Input{Active: a.active(act), TTL: a.ttls(act), State: prev, Force: force, Now: now})
	if err != nil {
		return err
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(stderr, "zone %s: warning: %s\n", z.Name, w)
	}
	res, err := publish.Apply(ctx, plan, prev, now)
	if err != nil {
		return err
	}
	st.Zones[z.Name] = res.State
	if res.Written {
		out.changef("zone %s: serial %d written to %s\n", z.Name, plan.Serial, z.Output)
	} else {
		out.verbosef("zone %s: unchanged (serial %d)\n", z.Name, plan.Serial)
	}
	return res.Reload
}

// reporter prints progress; in quiet mode only changes.
type reporter struct {
	w     io.Writer
	quiet bool
}

func (r *reporter) changef(format string, args ...any) { fmt.Fprintf(r.w, format, args...) }

func (r *reporter) verbosef(format string, args ...any) {
	if !r.quiet {
		fmt.Fprintf(r.w, format, args...)
	}
}

func okWord(ok bool, reason string) string {
	if ok {
		return "up (" + reason + ")"
	}
	return "DOWN (" + reason + ")"
}
