package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/cmd/zonerw/statedir"
	"github.com/zonerw/zonerw/cmd/zonerw/worstcase"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/templates"
	"github.com/zonerw/zonerw/zones"
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
	if err := checkPaths(cfg); err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	a.keysReadOnly(true) // check makes no keys
	st, err := statedir.Load(cfg.StateDir)
	if err != nil {
		fmt.Fprintf(stderr, "warning: %v; a run sets it aside and starts from an empty state\n", err)
		st = statedir.New()
	}
	engine := failover.NewEngine(a.services, st.Services)
	act := engine.ActiveTargets()
	for _, s := range cfg.Services {
		fmt.Fprintf(stdout, "service %s: serving %s (rise %d, fall %d, %s)\n",
			s.Name, strings.Join(act[s.Name], ", "), s.Rise, s.Fall, checkSummary(s.Check))
	}
	failed := false
	compiled, broken := compileAll(a)
	if err := joinBroken(a, broken); err != nil {
		fmt.Fprintln(stderr, err)
		failed = true
	}
	pipe, err := newZonePipeline(a, st, slog.New(slog.DiscardHandler), nil, true)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	v := a.values(act)
	for i, c := range pipe.Plan(compiled, v, false) {
		z := a.zone(compiled[i].Zone.Name) // with its template, which a compile lets go
		switch {
		case c.Err != nil:
			fmt.Fprintln(stderr, c.Err)
			failed = true
		case !c.Changed && z.Output == "":
			fmt.Fprintf(stdout, "zone %s: served by zonerw serve, up to date (serial %d)\n", z.Name, c.Serial)
		default:
			text, err := z.Template.Render(templates.Values{Serial: c.Serial, Active: v.Active, TTL: v.TTL})
			if err != nil {
				fmt.Fprintln(stderr, err)
				failed = true
				continue
			}
			switch held := outputHolds(z, c.Serial); {
			case !c.Changed && held && (z.Signer != nil || fileIs(z.Output, text)):
				// (A signed zone's file holds the signed records, which
				// only a run makes: its serial is what can be compared.)
				fmt.Fprintf(stdout, "zone %s: %s is up to date (serial %d)\n", z.Name, z.Output, c.Serial)
			case !c.Changed && held:
				fmt.Fprintf(stdout, "zone %s: %s holds serial %d but not what the template gives (edited by hand?); a run writes it again:\n%s", z.Name, z.Output, c.Serial, text)
			default:
				where := z.Output
				if where == "" {
					where = "the embedded nameserver"
				}
				fmt.Fprintf(stdout, "zone %s: a run would write %s with serial %d:\n%s", z.Name, where, c.Serial, text)
			}
		}
	}
	if _, err := buildProviders(cfg, slog.New(slog.DiscardHandler)); err != nil {
		fmt.Fprintln(stderr, err)
		failed = true
	}
	if err := verifySources(cfg); err != nil {
		fmt.Fprintln(stderr, err)
		failed = true
	}
	if err := cfg.VerifyRoundTimes(time.Now()); err != nil {
		fmt.Fprintln(stderr, err)
		failed = true
	}
	if failed {
		return exitFailure
	}
	worstcase.Print(stdout, cfg, a.zones, a.active(act))
	fmt.Fprintln(stdout, "config and templates are valid")
	return exitOK
}

// fileIs reports whether the file at path holds exactly text.
func fileIs(path string, text []byte) bool {
	have, err := os.ReadFile(path)
	return err == nil && bytes.Equal(have, text)
}

// outputHolds reports whether the zone's output file is at serial.
func outputHolds(z *publish.Zone, serial uint32) bool {
	got, found, err := zones.ReadSerial(z.Name, z.Output)
	return err == nil && found && got == serial
}

// checkPaths finds what a run would fail on in the file system: a state
// directory or output file that is something else, a directory in the
// way of an output, a reload command that is not there.
func checkPaths(cfg *config.Config) error {
	var errs []error
	if fi, err := os.Stat(cfg.StateDir); err == nil && !fi.IsDir() {
		errs = append(errs, fmt.Errorf("state_dir %s is not a directory", cfg.StateDir))
	}
	for i, z := range cfg.Zones {
		if z.Output != "" {
			if fi, err := os.Stat(z.Output); err == nil && !fi.Mode().IsRegular() {
				errs = append(errs, fmt.Errorf("zones[%d] (%s) output: %s is not a regular file", i, z.Name, z.Output))
			} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("zones[%d] (%s) output: %w", i, z.Name, err))
			}
		}
		if len(z.Reload.Command) > 0 {
			if _, err := exec.LookPath(z.Reload.Command[0]); err != nil {
				errs = append(errs, fmt.Errorf("zones[%d] (%s) reload.command: %w", i, z.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}
