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
	"github.com/zonerw/zonerw/failover"
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
	fs.Var(since, "since", "only entries from this time on: a duration back from now (30m, 2h, 168h),\nan RFC 3339 time (2026-11-30T03:00:00Z) or a date (2026-11-30, midnight UTC)")
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
	show := func(e auditlog.Line, raw []byte) error { return printEntry(out, e) }
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
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, errors.New("a duration counts back from now and cannot be negative")
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, errors.New("want a duration back from now (30m, 2h, 168h), an RFC 3339 time (2026-11-30T03:00:00Z) or a date (2026-11-30)")
}

// printEntry writes e for people: one line, then one indented line per
// probe result that caused it.
func printEntry(w io.Writer, e auditlog.Line) error {
	var head string
	var cause []failover.Observation
	switch {
	case e.Decision != nil:
		d := e.Decision
		head = fmt.Sprintf("switch  %s  %s -> %s  %s", d.Service, dash(d.From), servingText(*d), d.Reason)
		cause = d.Cause
	case e.Drift != nil:
		head = fmt.Sprintf("drift  %s  %s  %s", e.Drift.Provider, dash(e.Drift.Service), e.Drift.Text)
	default:
		ev := e.Event
		head = fmt.Sprintf("event  %s  %s  %s", ev.Kind, ev.Service, ev.Reason)
		cause = ev.Cause
	}
	var b strings.Builder
	b.WriteString(strings.TrimSpace(e.At().UTC().Format(time.RFC3339) + "  " + oneLine(head)))
	b.WriteByte('\n')
	for _, o := range cause {
		b.WriteString("    " + oneLine(observationText(o)) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// servingText is what a decision made the service serve: its new target,
// "pool a,c" for a pool's members, or "all of a,b" under the all-down
// policy "all".
func servingText(d failover.Decision) string {
	if d.Pool {
		return "pool " + strings.Join(d.Serving, ",")
	}
	if len(d.Serving) > 1 {
		return "all of " + strings.Join(d.Serving, ",")
	}
	return dash(d.To)
}

// observationText is one probe result, such as
// "main: fail (connect: connection refused) 12ms". Witness results carry
// no service and are labelled as witnesses.
func observationText(o failover.Observation) string {
	name := o.Target
	if o.Service == "" {
		name = "witness " + o.Target
	}
	s := name + ": fail"
	if o.OK {
		s = name + ": ok"
	}
	if o.Reason != "" {
		s += " (" + o.Reason + ")"
	}
	if o.Latency > 0 {
		s += " " + latencyText(o.Latency)
	}
	return s
}

// latencyText is how long a probe took, to the millisecond, or to the
// microsecond below one.
func latencyText(d time.Duration) string {
	if d < time.Millisecond {
		return d.Round(time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

// oneLine keeps a multi-line reason from breaking the one-line-per-entry
// layout.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}
