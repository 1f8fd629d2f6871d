package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

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
	// The audit log writer is the one place that knows the file's name.
	path := newAuditLog(cfg.StateDir, nil).path
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
	show := func(e auditLine, raw []byte) error { return printEntry(out, e) }
	if *asJSON {
		show = func(e auditLine, raw []byte) error {
			if _, err := out.Write(raw); err != nil {
				return err
			}
			return out.WriteByte('\n')
		}
	}
	s := &auditScan{path: path, filter: logFilter{since: since.t, service: *service}, stderr: stderr}
	err = s.run(ctx, f, show)
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write output: %w", ferr)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	if s.damaged > 0 {
		fmt.Fprintf(stderr, "%s: damaged lines skipped: %d\n", path, s.damaged)
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

// logFilter selects audit entries. The zero value selects all.
type logFilter struct {
	since   time.Time // entries before it are skipped
	service string    // if set, entries of other services are skipped
}

func (f logFilter) match(e auditLine) bool {
	return (f.service == "" || e.serviceName() == f.service) && !e.at().Before(f.since)
}

// at is when the entry's switch, event or drift happened.
func (l auditLine) at() time.Time {
	switch {
	case l.Decision != nil:
		return l.Decision.At
	case l.Drift != nil:
		return l.Drift.At
	}
	return l.Event.At
}

// serviceName is the service the entry's switch or event concerns, or
// whose provider record drifted.
func (l auditLine) serviceName() string {
	switch {
	case l.Decision != nil:
		return l.Decision.Service
	case l.Drift != nil:
		return l.Drift.Service
	}
	return l.Event.Service
}

// maxAuditLine bounds the memory one line of audit.log may take; a longer
// line is skipped, not fatal.
const maxAuditLine = 1 << 20

// errLineTooLong reports a line over maxAuditLine.
var errLineTooLong = errors.New("line longer than 1 MiB")

// auditScan reads audit.log once, front to back, and hands each entry the
// filter selects to a function. It reports the lines it cannot use on
// stderr as PATH:LINE and counts those a crash does not explain.
type auditScan struct {
	path    string
	filter  logFilter
	stderr  io.Writer
	damaged int
}

// run reads r to its end, or until show fails or ctx is cancelled. raw is
// the entry's line as written, without the newline.
func (s *auditScan) run(ctx context.Context, r io.Reader, show func(e auditLine, raw []byte) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	for n := 1; ; n++ {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted at %s:%d", s.path, n)
		}
		line, unterminated, err := readLine(br, buf, maxAuditLine)
		buf = line[:0]
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, errLineTooLong):
			s.damagedf(n, "%v, skipped", err)
			continue
		case err != nil:
			return fmt.Errorf("read %s: %w", s.path, err)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		e, raw, err := parseAuditLine(line)
		switch {
		case err != nil && unterminated:
			// The last write never finished: the usual trace of a crash.
			s.notef(n, "incomplete last line (a write cut short, likely by a crash), skipped: %v", err)
			continue
		case err != nil:
			s.damagedf(n, "not an audit record, skipped: %v", err)
			continue
		case len(raw) < len(line):
			s.notef(n, "skipped %d bytes left by an interrupted write before this line's record", len(line)-len(raw))
		}
		if !s.filter.match(e) {
			continue
		}
		if err := show(e, raw); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	}
}

func (s *auditScan) notef(line int, format string, args ...any) {
	fmt.Fprintf(s.stderr, "%s:%d: %s\n", s.path, line, fmt.Sprintf(format, args...))
}

func (s *auditScan) damagedf(line int, format string, args ...any) {
	s.damaged++
	s.notef(line, format, args...)
}

// readLine reads the next line into buf's storage and returns it without
// its newline. unterminated is true for a last line that has no newline.
// A line longer than max bytes is read to its end, without keeping more
// than max of it, and reported as errLineTooLong. io.EOF means nothing is
// left.
func readLine(r *bufio.Reader, buf []byte, max int) (line []byte, unterminated bool, err error) {
	line = buf[:0]
	size := 0
	for {
		chunk, err := r.ReadSlice('\n')
		size += len(chunk)
		if size <= max+1 { // +1: the newline
			line = append(line, chunk...)
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && size == 0:
			return line, false, io.EOF
		case errors.Is(err, io.EOF):
			unterminated = true
		case err != nil:
			return line, false, err
		}
		if !unterminated {
			size-- // the newline is not part of the line
		}
		if size > max {
			return line[:0], unterminated, errLineTooLong
		}
		return bytes.TrimSuffix(line, []byte("\n")), unterminated, nil
	}
}

// recordStart begins every line the audit log writer produces: "type" is
// auditLine's first field. Inside a JSON string a quote is escaped, so
// these bytes can only start a record.
var recordStart = []byte(`{"type":"`)

// parseAuditLine decodes one line of audit.log and returns the bytes of
// the record it holds. A write cut short by a crash leaves a fragment
// without a newline, and the next record is appended to it; such a line is
// accepted when what follows its last recordStart is a whole record, and
// raw is then that record alone.
func parseAuditLine(line []byte) (e auditLine, raw []byte, err error) {
	e, err = decodeAuditLine(line)
	if err == nil {
		return e, line, nil
	}
	if i := bytes.LastIndex(line, recordStart); i > 0 {
		if e, rerr := decodeAuditLine(line[i:]); rerr == nil {
			return e, line[i:], nil
		}
	}
	return auditLine{}, nil, err
}

// decodeAuditLine decodes b as one whole auditLine with the part its type
// calls for.
func decodeAuditLine(b []byte) (auditLine, error) {
	var e auditLine
	if err := json.Unmarshal(b, &e); err != nil {
		return auditLine{}, err
	}
	switch {
	case e.Type == "switch" && e.Decision == nil:
		return auditLine{}, errors.New(`a "switch" entry without its "decision"`)
	case e.Type == "event" && e.Event == nil:
		return auditLine{}, errors.New(`an "event" entry without its "event"`)
	case e.Type == "drift" && e.Drift == nil:
		return auditLine{}, errors.New(`a "drift" entry without its "drift"`)
	case e.Type != "switch" && e.Type != "event" && e.Type != "drift":
		return auditLine{}, fmt.Errorf("unknown entry type %q", e.Type)
	}
	return e, nil
}

// printEntry writes e for people: one line, then one indented line per
// probe result that caused it.
func printEntry(w io.Writer, e auditLine) error {
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
	b.WriteString(strings.TrimSpace(e.at().UTC().Format(time.RFC3339) + "  " + oneLine(head)))
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
