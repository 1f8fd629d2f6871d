package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones/publish"
)

// runCheck validates the config and every template, renders each zone with
// the current state and prints what a run would write. It changes nothing:
// no probe, no file, no state.
func runCheck(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("zonerw check", "zonerw check [-c FILE]", stdout, stderr)
	cfgPath := fs.String("c", defaultConfig, "config file")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	a, err := build(cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	st, err := loadState(cfg.StateDir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	engine := failover.NewEngine(a.services, st.Services)
	act := engine.ActiveTargets()
	for _, s := range cfg.Services {
		fmt.Fprintf(stdout, "service %s: serving %s (rise %d, fall %d, %s)\n",
			s.Name, strings.Join(act[s.Name], ", "), s.Rise, s.Fall, checkSummary(s.Check))
	}
	failed := false
	for _, z := range a.zones {
		plan, err := publish.MakePlan(z, publish.Input{Active: a.active(act), TTL: a.ttls(act), State: st.Zones[z.Name], Now: time.Now()})
		if err != nil {
			fmt.Fprintln(stderr, err)
			failed = true
			continue
		}
		for _, w := range plan.Warnings {
			fmt.Fprintf(stderr, "zone %s: warning: %s\n", z.Name, w)
		}
		if !plan.Changed && !plan.Missing {
			fmt.Fprintf(stdout, "zone %s: %s is up to date (serial %d)\n", z.Name, z.Output, plan.Serial)
			continue
		}
		fmt.Fprintf(stdout, "zone %s: a run would write %s with serial %d:\n%s", z.Name, z.Output, plan.Serial, plan.Text)
	}
	if _, err := buildProviders(cfg, slog.New(slog.DiscardHandler)); err != nil {
		fmt.Fprintln(stderr, err)
		failed = true
	}
	if err := verifySources(cfg); err != nil {
		fmt.Fprintln(stderr, err)
		failed = true
	}
	if failed {
		return exitFailure
	}
	printWorstCase(stdout, a, a.active(act))
	fmt.Fprintln(stdout, "config and templates are valid")
	return exitOK
}
