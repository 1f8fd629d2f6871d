package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/auditlog"
	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/cmd/zonerw/observe"
	"github.com/zonerw/zonerw/cmd/zonerw/signer"
	"github.com/zonerw/zonerw/cmd/zonerw/statedir"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones/provider/sink"
	"github.com/zonerw/zonerw/zones/publish"
)

// runOnce is cron mode: probe every target once, update the failover state,
// and rewrite every zone whose rendered content changed.
func runOnce(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("zonerw", "zonerw [-c FILE] [-q] [--force] [--dry-run]", stdout, stderr)
	flagsUsage := fs.Usage
	fs.Usage = func() {
		flagsUsage()
		fmt.Fprint(fs.Output(), "\nThe subcommands (check, serve, status, explain, log, pin, unpin, drill,\nreload, import, dnssec) are listed by zonerw help.\n")
	}
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
			out.changef("zonerw serve re-read its templates and gave every zone a new serial\n")
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
	unlock, err := statedir.Lock(cfg.StateDir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	defer unlock()
	st := statedir.LoadOrRebuild(cfg.StateDir, log)
	r := cronRun{a: a, st: st, out: out, stderr: stderr, log: log, alerts: observe.NewCron(cfg.Alerts, st.Alerted, log)}
	failed := r.run(ctx, providers, *force) || buildErr != nil
	st.Alerted = r.alerts.Finish()
	if err := statedir.Save(cfg.StateDir, st); err != nil {
		fmt.Fprintln(stderr, err)
		failed = true
	}
	if failed {
		return exitFailure
	}
	return exitOK
}

// cronRun is one cron-mode pass after the config is loaded and the state
// locked.
type cronRun struct {
	a      *app
	st     *statedir.File
	out    *reporter
	stderr io.Writer
	log    *slog.Logger
	alerts *observe.Cron
}

// run probes, decides and publishes to every destination at once, each
// within its own time. It reports whether anything failed.
func (r *cronRun) run(ctx context.Context, providers *providerSet, force bool) bool {
	a, st, out := r.a, r.st, r.out
	audit := auditlog.New(a.cfg.StateDir, r.log)
	providers.observe = r.alerts.Provider
	providers.drift = observe.DriftRecorder{Audit: audit, Send: r.alerts.Send, Clear: r.alerts.Clear}.Record
	for name, err := range a.broken {
		r.alerts.Zone(name, err)
	}
	pipe, err := newZonePipeline(a, st, r.log, cronDeliveries{r.alerts}, false)
	if err != nil {
		fmt.Fprintln(r.stderr, err)
		return true
	}
	compiled, broken := compileAll(a)
	services := st.Services
	if s, ok := seedFromStored(a, st, compiled, newerThanState(a, st, pipe.Current), time.Now(), r.log); ok {
		services = s
	}
	engine := failover.NewEngine(a.services, services)
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
	recorders{audit, r.alerts}.Record(outcome)
	st.Services = engine.State()

	files := addFileDestinations(pipe, a, st, publish.Retry{Attempts: 1})
	sinks := providers.sinks(st.Providers, sink.Cron, func(s string) { out.changef("%s\n", s) })
	var dests []publish.NamedValueDestination
	for _, s := range sinks {
		dests = append(dests, publish.NamedValueDestination{Name: providerDest(s.Name()), Dest: s, Timeout: providerDeadline, Retry: publish.Retry{Attempts: 1}})
	}
	pipe.SetValueDestinations(dests)

	failed := false
	for _, z := range a.zones {
		if err := broken[z.Name]; err != nil && a.broken[z.Name] == nil {
			fmt.Fprintln(r.stderr, err) // parse errors were printed with the config's
			r.alerts.Zone(z.Name, err)
			failed = true
		}
	}
	changes, _ := pipe.Apply(compiled, a.values(engine.ActiveTargets()), force, false)
	changes = append(changes, signer.Upkeep(ctx, signer.Of(a.zones), pipe, r.log, time.Now())...)
	fctx, cancel := context.WithTimeout(ctx, flushDeadline(a))
	defer cancel()
	flushErr := pipe.Flush(fctx)
	if flushErr != nil {
		fmt.Fprintln(r.stderr, flushErr)
		failed = true
	}
	failed = r.report(changes, files) || failed
	for _, s := range sinks {
		st.Providers[s.Name()] = s.Snapshot()
	}
	// A provider waiting out a permanent failure was not tried, but is
	// still failing: the run exits 1.
	failed = providers.stillFailing(st.Providers, time.Now()) || failed
	recordZones(pipe, st, files, time.Now())
	return failed
}

// report prints what each zone did and tells the alerts; it reports
// whether a zone's version could not be made.
func (r *cronRun) report(changes []publish.Change, files map[string]*publish.FileDestination) bool {
	failed := false
	byZone := map[string]publish.Change{}
	for _, c := range changes {
		byZone[c.Zone] = c
	}
	for _, z := range r.a.zones {
		c, ok := byZone[z.Name]
		switch {
		case !ok:
			continue
		case c.Err != nil:
			fmt.Fprintln(r.stderr, c.Err)
			r.alerts.Zone(z.Name, c.Err)
			failed = true
		case z.Output == "":
			r.out.verbosef("zone %s: no output file; only zonerw serve publishes it\n", z.Name)
		case files[z.Name].Written() == c.Serial:
			r.out.changef("zone %s: serial %d written to %s\n", z.Name, c.Serial, z.Output)
		default:
			r.out.verbosef("zone %s: unchanged (serial %d)\n", z.Name, c.Serial)
		}
	}
	return failed
}

// flushDeadline bounds a cron run's deliveries: every destination at once,
// so the longest of their own limits.
func flushDeadline(a *app) time.Duration {
	d := providerDeadline
	for _, z := range a.cfg.Zones {
		d = max(d, z.Reload.Timeout+fileWriteTimeout)
	}
	return d + 10*time.Second
}

// cronDeliveries tells cron mode's alerts how each zone file went.
type cronDeliveries struct{ alerts *observe.Cron }

func (c cronDeliveries) Delivered(dest string, err error) {
	if kind, of := destinationParts(dest); kind == "file" {
		c.alerts.Zone(of, err)
	}
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
