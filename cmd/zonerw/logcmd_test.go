package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/auditlog"
	"github.com/zonerw/zonerw/failover"
)

// logNow is the clock of the log tests: --since durations count back from it.
var logNow = time.Date(2026, 11, 30, 3, 14, 24, 0, time.UTC)

// logFixture is what the fixture log holds, in the order it was written.
// The second entry is in a +01:00 zone, to show output is in UTC.
var logFixture = []failover.Outcome{
	{Decisions: []failover.Decision{{
		Service: "web", From: "main", To: "backup", Serving: []string{"backup"},
		Reason: "main down after 2 consecutive failures: connect: connection refused",
		At:     time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC),
		Cause: []failover.Observation{
			{Service: "web", Target: "main", Reason: "connect: connection refused", Latency: 12300 * time.Microsecond},
			{Service: "web", Target: "backup", OK: true, Reason: "HTTP 200", Latency: 3 * time.Millisecond},
		},
	}}},
	{Events: []failover.Event{{
		Kind: failover.EventPinned, Service: "mail", Target: "mx2",
		Reason: "pinned to mx2 by operator: disk swap\nback at 06:00",
		At:     time.Date(2026, 11, 30, 0, 30, 0, 0, time.FixedZone("CET", 3600)),
	}}},
	{Events: []failover.Event{{
		Kind: failover.EventIsolated, Service: "web", Reason: "checker looks cut off",
		At: time.Date(2026, 11, 30, 1, 30, 0, 0, time.UTC),
		Cause: []failover.Observation{
			{Service: "web", Target: "main", Reason: "i/o timeout", Latency: 5 * time.Second},
			{Target: "gw", Reason: "connect: network is unreachable", Latency: 400 * time.Microsecond},
		},
	}}},
	{
		Decisions: []failover.Decision{{
			Service: "web", From: "backup", To: "main", Serving: []string{"main", "backup"},
			Reason: "all 2 targets down", At: time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC),
		}},
		Events: []failover.Event{{
			Kind: failover.EventAllDown, Service: "web", Reason: "all 2 targets down",
			At: time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC),
		}},
	},
}

// logFixtureText is the human output for the whole of logFixture.
const logFixtureText = `2026-11-29T01:00:00Z  switch  web  main -> backup  main down after 2 consecutive failures: connect: connection refused
    main: fail (connect: connection refused) 12ms
    backup: ok (HTTP 200) 3ms
2026-11-29T23:30:00Z  event  pinned  mail  pinned to mx2 by operator: disk swap back at 06:00
2026-11-30T01:30:00Z  event  isolated  web  checker looks cut off
    main: fail (i/o timeout) 5s
    witness gw: fail (connect: network is unreachable) 400µs
2026-11-30T03:00:00Z  switch  web  backup -> all of main,backup  all 2 targets down
2026-11-30T03:00:00Z  event  all_down  web  all 2 targets down
`

// logSetup writes a config whose state_dir is in a temp dir and returns
// the config's path and the audit log's path. The log does not exist yet.
func logSetup(t *testing.T) (cfgPath, logPath string) {
	t.Helper()
	dir := t.TempDir()
	cfgPath = filepath.Join(dir, "zonerw.yaml")
	cfg := `state_dir: state
services:
  - name: web
    targets:
      - {name: main, ipv4: 127.0.0.10}
      - {name: backup, ipv4: 127.0.0.20}
zones:
  - {name: example.com, template: t.tmpl, output: out/example.com.zone}
`
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	stateDir := filepath.Join(dir, "state")
	if err := os.Mkdir(stateDir, 0o755); err != nil {
		t.Fatal(err)
	}
	return cfgPath, filepath.Join(stateDir, "audit.log")
}

// record appends outcomes to the log with the daemon's own writer.
func record(t *testing.T, logPath string, outcomes ...failover.Outcome) {
	t.Helper()
	a := auditlog.New(filepath.Dir(logPath), nil)
	for _, o := range outcomes {
		a.Record(o)
	}
	if _, err := os.Stat(logPath); err != nil {
		t.Fatalf("the audit writer wrote no log: %v", err)
	}
}

// logFixtureSetup is logSetup with logFixture recorded.
func logFixtureSetup(t *testing.T) (cfgPath, logPath string) {
	t.Helper()
	cfgPath, logPath = logSetup(t)
	record(t, logPath, logFixture...)
	return cfgPath, logPath
}

// runLogTest runs `zonerw log -c cfgPath args...` at logNow.
func runLogTest(t *testing.T, cfgPath string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = logCommand(context.Background(), append([]string{"-c", cfgPath}, args...), &out, &errOut, func() time.Time { return logNow })
	return code, out.String(), errOut.String()
}

// entryTimes is the time column of human output, one per entry.
func entryTimes(out string) []string {
	var ts []string
	for line := range strings.Lines(out) {
		if !strings.HasPrefix(line, " ") {
			ts = append(ts, strings.Fields(line)[0])
		}
	}
	return ts
}

// fileLines is the log's lines without their newlines.
func fileLines(t *testing.T, logPath string) []string {
	t.Helper()
	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

func TestLogHuman(t *testing.T) {
	cfgPath, _ := logFixtureSetup(t)
	code, out, errOut := runLogTest(t, cfgPath)
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if out != logFixtureText {
		t.Errorf("output:\n%s\nwant:\n%s", out, logFixtureText)
	}
}

func TestLogJSONIsTheLinesUnchanged(t *testing.T) {
	cfgPath, logPath := logFixtureSetup(t)
	lines := fileLines(t, logPath)
	if len(lines) != 5 {
		t.Fatalf("fixture has %d lines, want 5", len(lines))
	}
	tests := []struct {
		args []string
		want []string
	}{
		{nil, lines},
		{[]string{"--service", "mail"}, lines[1:2]},
		{[]string{"--since", "2026-11-30T01:30:00Z", "--service", "web"}, lines[2:]},
	}
	for _, tc := range tests {
		code, out, errOut := runLogTest(t, cfgPath, append([]string{"--json"}, tc.args...)...)
		if code != exitOK || errOut != "" {
			t.Fatalf("%v: exit %d, stderr %q", tc.args, code, errOut)
		}
		if want := strings.Join(tc.want, "\n") + "\n"; out != want {
			t.Errorf("%v: output:\n%s\nwant:\n%s", tc.args, out, want)
		}
		for line := range strings.Lines(out) {
			if !json.Valid([]byte(line)) {
				t.Errorf("%v: not JSON: %q", tc.args, line)
			}
		}
	}
}

func TestLogFilters(t *testing.T) {
	cfgPath, _ := logFixtureSetup(t)
	const (
		t1 = "2026-11-29T01:00:00Z"
		t2 = "2026-11-29T23:30:00Z"
		t3 = "2026-11-30T01:30:00Z"
		t4 = "2026-11-30T03:00:00Z" // a switch and an event
	)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"duration 2h is from 01:14:24", []string{"--since", "2h"}, []string{t3, t4, t4}},
		{"duration 30m", []string{"--since", "30m"}, []string{t4, t4}},
		{"duration 1d is from 2026-11-29 03:14:24", []string{"--since", "1d"}, []string{t2, t3, t4, t4}},
		{"duration 1d2h is from 2026-11-29 01:14:24", []string{"--since", "1d2h"}, []string{t2, t3, t4, t4}},
		{"duration 2d", []string{"--since", "2d"}, []string{t1, t2, t3, t4, t4}},
		{"duration 0 is now", []string{"--since", "0s"}, nil},
		{"date is midnight UTC", []string{"--since", "2026-11-30"}, []string{t3, t4, t4}},
		{"time is inclusive", []string{"--since", t2}, []string{t2, t3, t4, t4}},
		{"time with an offset", []string{"--since", "2026-11-30T04:00:00+01:00"}, []string{t4, t4}},
		{"time with fractional seconds", []string{"--since", "2026-11-30T02:59:59.5Z"}, []string{t4, t4}},
		{"service", []string{"--service", "web"}, []string{t1, t3, t4, t4}},
		{"other service", []string{"--service", "mail"}, []string{t2}},
		{"unknown service", []string{"--service", "nosuch"}, nil},
		{"service and since", []string{"--service", "web", "--since", "2026-11-29T23:00:00Z"}, []string{t3, t4, t4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runLogTest(t, cfgPath, tc.args...)
			if code != exitOK || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			if got := entryTimes(out); !slices.Equal(got, tc.want) {
				t.Errorf("entries at %v, want %v\n%s", got, tc.want, out)
			}
		})
	}
}

func TestLogUsage(t *testing.T) {
	cfgPath, _ := logFixtureSetup(t)
	tests := []struct {
		args       []string
		code       int
		wantStderr string
	}{
		{[]string{"--since", "7x"}, exitUsage, `invalid value "7x" for flag -since: want a duration back from now (30m, 2h, 7d)`},
		{[]string{"--since", "1.5d"}, exitUsage, `invalid value "1.5d" for flag -since`},
		{[]string{"--since", "yesterday"}, exitUsage, `invalid value "yesterday" for flag -since`},
		{[]string{"--since", "2026-13-01"}, exitUsage, `invalid value "2026-13-01" for flag -since`},
		{[]string{"--since", "-2h"}, exitUsage, "a duration counts back from now and cannot be negative"},
		{[]string{"--follow"}, exitUsage, "flag provided but not defined: -follow"},
		{[]string{"web"}, exitUsage, `unexpected argument "web"`},
	}
	for _, tc := range tests {
		code, out, errOut := runLogTest(t, cfgPath, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.wantStderr) || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr:\n%s\nwant exit %d and stderr with %q", tc.args, code, out, errOut, tc.code, tc.wantStderr)
		}
	}
}

func TestLogHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := runLog(context.Background(), []string{"--help"}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Usage: zonerw log [-c FILE] [--since D|TIME] [--service NAME] [--json]", "-since", "UTC, in RFC 3339", "Exit status"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, &out)
		}
	}
}

func TestLogNoLogYet(t *testing.T) {
	cfgPath, logPath := logSetup(t)
	code, out, errOut := runLogTest(t, cfgPath)
	if code != exitOK || out != "" || errOut != "no audit log yet at "+logPath+"\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestLogBadConfig(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "zonerw.yaml")
	code, out, errOut := runLogTest(t, missing)
	if code != exitFailure || out != "" || !strings.Contains(errOut, missing) {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 naming %s", code, out, errOut, missing)
	}
}

func TestLogUnreadable(t *testing.T) {
	cfgPath, logPath := logSetup(t)
	if err := os.Mkdir(logPath, 0o755); err != nil { // a directory cannot be read as a file
		t.Fatal(err)
	}
	code, _, errOut := runLogTest(t, cfgPath)
	if code != exitFailure || !strings.Contains(errOut, logPath) {
		t.Errorf("exit %d, stderr %q; want exit 1 naming %s", code, errOut, logPath)
	}
}

// TestLogDamagedLines checks that a line that cannot be used is reported
// as PATH:LINE and skipped, that the rest is still printed, and which
// damage fails the command.
func TestLogDamagedLines(t *testing.T) {
	long := failover.Outcome{Events: []failover.Event{{Kind: failover.EventPinned, Service: "web",
		Reason: strings.Repeat("r", 200<<10), At: time.Date(2026, 11, 30, 3, 10, 0, 0, time.UTC)}}}
	later := failover.Outcome{Events: []failover.Event{{Kind: failover.EventUnpinned, Service: "web",
		Reason: "pin on backup removed by operator", At: time.Date(2026, 11, 30, 3, 10, 0, 0, time.UTC)}}}
	fragment := `{"type":"switch","decision":{"serv`
	tests := []struct {
		name string
		// damage changes the fixture log; line 3 is the isolated event.
		damage     func(t *testing.T, logPath string)
		code       int
		wantStderr []string // each follows the log's path; none: stderr is empty
		wantTimes  []string
	}{{
		name:       "truncated last line is a crash: noted, exit 0",
		damage:     func(t *testing.T, p string) { appendBytes(t, p, fragment) },
		code:       exitOK,
		wantStderr: []string{":6: incomplete last line (a write cut short, likely by a crash), skipped: unexpected end of JSON input"},
		wantTimes:  fixtureTimes,
	}, {
		name: "record appended after a crash fragment is kept: exit 0",
		damage: func(t *testing.T, p string) {
			appendBytes(t, p, fragment)
			record(t, p, later)
		},
		code:       exitOK,
		wantStderr: []string{fmt.Sprintf(":6: skipped %d bytes left by an interrupted write", len(fragment))},
		wantTimes:  append(slices.Clone(fixtureTimes), "2026-11-30T03:10:00Z"),
	}, {
		name:       "garbage middle line: reported, rest printed, exit 1",
		damage:     func(t *testing.T, p string) { insertLine(t, p, 2, "not json") },
		code:       exitFailure,
		wantStderr: []string{":3: not an audit record, skipped: invalid character", ": damaged lines skipped: 1"},
		wantTimes:  fixtureTimes,
	}, {
		name:       "unknown entry type: exit 1",
		damage:     func(t *testing.T, p string) { insertLine(t, p, 2, `{"type":"note","note":{}}`) },
		code:       exitFailure,
		wantStderr: []string{`:3: not an audit record, skipped: unknown entry type "note"`},
		wantTimes:  fixtureTimes,
	}, {
		name:       "switch without decision: exit 1",
		damage:     func(t *testing.T, p string) { insertLine(t, p, 2, `{"type":"switch"}`) },
		code:       exitFailure,
		wantStderr: []string{`:3: not an audit record, skipped: a "switch" entry without its "decision"`},
		wantTimes:  fixtureTimes,
	}, {
		name:       "line over 1 MiB is skipped, not fatal: exit 1",
		damage:     func(t *testing.T, p string) { insertLine(t, p, 2, strings.Repeat("x", auditlog.MaxLine+1)) },
		code:       exitFailure,
		wantStderr: []string{":3: line longer than 1 MiB, skipped"},
		wantTimes:  fixtureTimes,
	}, {
		name:      "line of exactly 1 MiB is read",
		damage:    func(t *testing.T, p string) { insertLine(t, p, 2, padRecord(t, auditlog.MaxLine)) },
		code:      exitOK,
		wantTimes: slices.Insert(slices.Clone(fixtureTimes), 2, "2026-11-30T00:00:00Z"),
	}, {
		name:      "long record is read whole",
		damage:    func(t *testing.T, p string) { record(t, p, long) },
		code:      exitOK,
		wantTimes: append(slices.Clone(fixtureTimes), "2026-11-30T03:10:00Z"),
	}, {
		name:      "blank lines are ignored",
		damage:    func(t *testing.T, p string) { insertLine(t, p, 2, "") },
		code:      exitOK,
		wantTimes: fixtureTimes,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfgPath, logPath := logFixtureSetup(t)
			tc.damage(t, logPath)
			code, out, errOut := runLogTest(t, cfgPath)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, errOut)
			}
			if len(tc.wantStderr) == 0 && errOut != "" {
				t.Errorf("stderr %q, want none", errOut)
			}
			for _, want := range tc.wantStderr {
				if !strings.Contains(errOut, logPath+want) {
					t.Errorf("stderr lacks %q:\n%s", logPath+want, errOut)
				}
			}
			if got := entryTimes(out); !slices.Equal(got, tc.wantTimes) {
				t.Errorf("entries at %v, want %v", got, tc.wantTimes)
			}
			// --json must stay valid JSON lines whatever the damage.
			_, jout, _ := runLogTest(t, cfgPath, "--json")
			for line := range strings.Lines(jout) {
				if !json.Valid([]byte(line)) {
					t.Errorf("--json printed a line that is not JSON: %.80q", line)
				}
			}
		})
	}
}

func TestLogInterrupted(t *testing.T) {
	cfgPath, _ := logFixtureSetup(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	code := logCommand(ctx, []string{"-c", cfgPath}, &out, &errOut, func() time.Time { return logNow })
	if code != exitFailure || out.Len() != 0 || !strings.Contains(errOut.String(), "interrupted at ") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, &out, &errOut)
	}
}

// fixtureTimes is entryTimes of logFixtureText.
var fixtureTimes = entryTimes(logFixtureText)

// appendBytes appends s to the file at path as it is, with no newline.
func appendBytes(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// insertLine puts line into the file at path so that it becomes line
// number i+1.
func insertLine(t *testing.T, path string, i int, line string) {
	t.Helper()
	lines := slices.Insert(fileLines(t, path), i, line)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// padRecord is an audit line of exactly n bytes: an event at midnight
// whose reason is padded to fit.
func padRecord(t *testing.T, n int) string {
	t.Helper()
	e := failover.Event{Kind: failover.EventPinned, Service: "web", At: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
	b, err := json.Marshal(auditlog.Line{Type: "event", Event: &e})
	if err != nil {
		t.Fatal(err)
	}
	e.Reason = strings.Repeat("p", n-len(b))
	b, err = json.Marshal(auditlog.Line{Type: "event", Event: &e})
	if err != nil || len(b) != n {
		t.Fatalf("padded record is %d bytes, want %d (%v)", len(b), n, err)
	}
	return string(b)
}
