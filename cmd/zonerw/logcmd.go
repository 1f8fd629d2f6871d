package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/auditlog"
	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/cmd/zonerw/view"
)

// logHelp follows the flags in `zonerw log --help`.
const logHelp = `
Prints the audit log, state_dir/audit.log, oldest first: one line per switch
or event, with the probe results that caused it indented below, and one per
provider record found changed outside zonerw (drift: put back, reported, or
over). Times are UTC, in RFC 3339. --json prints the selected lines unchanged
instead.

A line cut short by a crash is reported on stderr as FILE:LINE and skipped.
Exit status: 0 success, also when there is no audit log yet; 1 the config
or the log could not be read, or the log has a damaged line that a crash does
not explain (everything else is still printed); 2 a bad command line.
`

// runLog is `zonerw log [-c FILE] [--since D|TIME] [--service NAME] [--json]`.
func runLog(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return logCommand(ctx, args, stdout, stderr, time.Now)
}

// logCommand is runLog with the clock that --since durations count back
// from.
func logCommand(ctx context.Context, args []string, stdout, stderr io.Writer, now func() time.Time) int {
	fs := newFlagSet("zonerw log", "zonerw log [-c FILE] [--since D|TIME] [--service NAME] [--json]", stdout, stderr)
	flagsUsage := fs.Usage
	fs.Usage = func() {
		flagsUsage()
		fmt.Fprint(fs.Output(), logHelp)
	}
	cfgPath := fs.String("c", defaultConfig, "config file")
	since := &sinceFlag{now: now}
	fs.Var(since, "since", "only entries from this time on: a duration back from now (30m, 2h, 7d),\nan RFC 3339 time (2026-11-30T03:00:00Z) or a date (2026-11-30, midnight UTC)")
	service := fs.String("service", "", "only entries for this service")
	asJSON := fs.Bool("json", false, "print the selected lines as they are in the log (JSON lines)")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	path := auditlog.Path(cfg.StateDir)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "no audit log yet at %s\n", path)
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	defer f.Close()

	out := bufio.NewWriter(stdout)
	show := func(e auditlog.Line, raw []byte) error { return view.PrintEntry(out, e) }
	if *asJSON {
		show = func(e auditlog.Line, raw []byte) error {
			if _, err := out.Write(raw); err != nil {
				return err
			}
			return out.WriteByte('\n')
		}
	}
	s := &auditlog.Scan{Path: path, Filter: auditlog.Filter{Since: since.t, Service: *service}, Stderr: stderr}
	err = s.Run(ctx, f, show)
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write output: %w", ferr)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	if s.Damaged > 0 {
		fmt.Fprintf(stderr, "%s: damaged lines skipped: %d\n", path, s.Damaged)
		return exitFailure
	}
	return exitOK
}

// sinceFlag is the value of --since. Set reads durations against now.
type sinceFlag struct {
	now  func() time.Time
	text string
	t    time.Time
}

func (f *sinceFlag) String() string { return f.text }

func (f *sinceFlag) Set(s string) error {
	t, err := parseSince(s, f.now())
	if err != nil {
		return err
	}
	f.text, f.t = s, t
	return nil
}

// parseSince reads a --since value: a Go duration back from now, an RFC
// 3339 time, or a date, which means midnight UTC to match the times the
// command prints.
func parseSince(s string, now time.Time) (time.Time, error) {
	if strings.HasPrefix(s, "-") {
		return time.Time{}, errors.New("a duration counts back from now and cannot be negative")
	}
	if d, err := parseSpan(s); err == nil {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, errors.New("want a duration back from now (30m, 2h, 7d), an RFC 3339 time (2026-11-30T03:00:00Z) or a date (2026-11-30)")
}
