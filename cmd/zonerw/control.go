package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/auditlog"
	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/cmd/zonerw/statedir"
	"github.com/zonerw/zonerw/cmd/zonerw/view"
	"github.com/zonerw/zonerw/failover"
)

// runPin is `zonerw pin SERVICE TARGET [--for D] [--reason TEXT]`. It asks
// the running daemon; without one it records the pin in the state file,
// where the next cron run (or the daemon's start) honours it.
func runPin(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("zonerw pin", "zonerw pin [-c FILE] [--for DURATION] [--reason TEXT] SERVICE TARGET", stdout, stderr)
	cfgPath := fs.String("c", defaultConfig, "config file")
	dur := new(spanFlag)
	fs.Var(dur, "for", "how long the pin holds: 30m, 2h, 1d (default: until zonerw unpin)")
	reason := fs.String("reason", "", "why, for status and the audit log")
	code, rest, ok := parseWithArgs(fs, args, stdout, 2)
	if !ok {
		return code
	}
	var until time.Time
	if dur.d > 0 {
		until = time.Now().Add(dur.d)
	}
	req := pinRequest{Service: rest[0], Target: rest[1], Until: until, Reason: *reason}
	return control(ctx, *cfgPath, stdout, stderr, "POST", "/pin", req, func(e *failover.Engine) error {
		return e.Pin(req.Service, req.Target, req.Until, req.Reason)
	}, fmt.Sprintf("pinned %s to %s", req.Service, req.Target))
}

// runUnpin is `zonerw unpin SERVICE`.
func runUnpin(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("zonerw unpin", "zonerw unpin [-c FILE] SERVICE", stdout, stderr)
	cfgPath := fs.String("c", defaultConfig, "config file")
	code, rest, ok := parseWithArgs(fs, args, stdout, 1)
	if !ok {
		return code
	}
	return control(ctx, *cfgPath, stdout, stderr, "POST", "/unpin/"+url.PathEscape(rest[0]), nil, func(e *failover.Engine) error {
		return e.Unpin(rest[0])
	}, "unpinned "+rest[0])
}

// runReload is `zonerw reload`: the daemon re-reads its config.
func runReload(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("zonerw reload", "zonerw reload [-c FILE]", stdout, stderr)
	cfgPath := fs.String("c", defaultConfig, "config file")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	return control(ctx, *cfgPath, stdout, stderr, "POST", "/reload", nil, nil, "config reloaded")
}

// control sends one request to the daemon, or, when none runs and offline
// is not nil, applies offline to the engine built from the state file.
func control(ctx context.Context, cfgPath string, stdout, stderr io.Writer, method, path string, body any, offline func(*failover.Engine) error, done string) int {
	cfg, err := config.Load(cfgPath)
	if err != nil && path == "/reload" {
		// The daemon loads the file itself, refuses it with this same
		// error and shows the refusal in its status: tell it.
		if dir, ok := config.StateDirOf(cfgPath); ok {
			if rerr := adminCall(ctx, dir, method, path, body, nil); !errors.Is(rerr, errNoDaemon) {
				err = rerr
			}
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	err = adminCall(ctx, cfg.StateDir, method, path, body, nil)
	if errors.Is(err, errNoDaemon) && offline != nil {
		err = offlineChange(cfg, offline)
		done += " (no daemon running: recorded in the state file for the next run)"
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	fmt.Fprintln(stdout, done)
	return exitOK
}

// offlineChange applies change to the saved state under the state lock.
func offlineChange(cfg *config.Config, change func(*failover.Engine) error) error {
	a, err := build(cfg)
	if err != nil {
		return err
	}
	unlock, err := statedir.Lock(cfg.StateDir)
	if err != nil {
		return err
	}
	defer unlock()
	// A damaged state file is set aside and rebuilt, as a run would: the
	// pin must not wait for a human to repair it.
	st := statedir.LoadOrRebuild(cfg.StateDir, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	e := failover.NewEngine(a.services, st.Services)
	if err := change(e); err != nil {
		return err
	}
	auditlog.New(cfg.StateDir, nil).Record(e.Pending())
	st.Services = e.State()
	return statedir.Save(cfg.StateDir, st)
}

// statusHelp follows the flags in `zonerw status --help`.
const statusHelp = `
Prints the services and their targets, the providers, and the zones with
each secondary's serial: from the daemon when one runs, else from the state
file of the last run. --json prints the same as JSON.

Exit status: 0 nothing needs a person; 1 something does (a refused reload, a
zone held or unable to make a version, a zone file, nameserver or provider
whose attempts fail, a provider record changed by hand and not put back,
expired signatures: each shown in the output), or the config or state could
not be read; 2 a bad command line. A target that is down is not counted:
the names moving away from it is the failover working.
`

// runStatus is `zonerw status [--json]`.
func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("zonerw status", "zonerw status [-c FILE] [--json]", stdout, stderr)
	flagsUsage := fs.Usage
	fs.Usage = func() {
		flagsUsage()
		fmt.Fprint(fs.Output(), statusHelp)
	}
	cfgPath := fs.String("c", defaultConfig, "config file")
	asJSON := fs.Bool("json", false, "print JSON")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	if _, err := config.Load(*cfgPath); err != nil {
		return statusOfBrokenConfig(ctx, *cfgPath, err, *asJSON, stdout, stderr)
	}
	var problems []string
	code := show(ctx, *cfgPath, "/status", *asJSON, stdout, stderr, statusFromFile,
		func(w io.Writer, cfg *config.Config, v view.Status) {
			view.PrintStatus(w, cfg, v, time.Now())
			printDNSSEC(w, cfg) // dnsseccmd.go
		},
		func(v view.Status) { problems = view.Problems(v, time.Now()) })
	if code == exitOK && len(problems) > 0 {
		return exitFailure // something to look at, shown above
	}
	return code
}

// statusOfBrokenConfig is zonerw status when the config file does not
// load (cfgErr): a running daemon still answers, on the config it loaded
// before, so its status is shown as far as it needs no config (all of it
// with --json, else the lines that head it, such as the refused reload),
// then the error. It exits 1.
func statusOfBrokenConfig(ctx context.Context, cfgPath string, cfgErr error, asJSON bool, stdout, stderr io.Writer) int {
	var v view.Status
	dir, ok := config.StateDirOf(cfgPath)
	if ok && adminCall(ctx, dir, "GET", "/status", nil, &v) == nil {
		if asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			enc.Encode(v)
		} else {
			view.PrintWarnings(stdout, v, time.Now())
		}
		fmt.Fprintf(stderr, "%v\n(the daemon runs on the config it loaded before; the rest of its status is shown once this file loads)\n", cfgErr)
		return exitFailure
	}
	fmt.Fprintln(stderr, cfgErr)
	return exitFailure
}

// show asks the daemon for the view at path or, when none runs, reads it
// with fromFile; then hands it to got (if not nil) and prints it as JSON
// or for people with print.
func show[V any](ctx context.Context, cfgPath, path string, asJSON bool, stdout, stderr io.Writer,
	fromFile func(*config.Config) (V, error), print func(io.Writer, *config.Config, V), got func(V)) int {
	cfg, err := config.Load(cfgPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	var v V
	err = adminCall(ctx, cfg.StateDir, "GET", path, nil, &v)
	if errors.Is(err, errNoDaemon) {
		v, err = fromFile(cfg)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	if got != nil {
		got(v)
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(v)
		return exitOK
	}
	print(stdout, cfg, v)
	return exitOK
}

func statusFromFile(cfg *config.Config) (view.Status, error) {
	st, err := statedir.Load(cfg.StateDir)
	if err != nil {
		return view.Status{}, err
	}
	return view.StatusFromState(cfg, st), nil
}
