package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// watchFlags is one switch to time.
type watchFlags struct {
	label   string
	log     string // zonerw's JSON log; the decision is its next "switch" line
	offset  int64  // where in log to start reading
	run     string // instead of log: a command whose start is the decision
	name    string // the name polled, type A
	from    string // what every server answers before (settled first)
	want    string // what it answers after
	servers []server
	ready   string // file created once the polling runs
	timeout time.Duration
	every   time.Duration
}

func parseWatch(args []string) (watchFlags, error) {
	var w watchFlags
	var servers string
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	fs.StringVar(&w.label, "label", "switch", "label of the output line (the summary groups by it)")
	fs.StringVar(&w.log, "log", "", `zonerw's log (--log-format json): the decision is its next "switch" line after -offset`)
	fs.Int64Var(&w.offset, "offset", 0, "byte offset in -log to read from")
	fs.StringVar(&w.run, "run", "", "instead of -log: a command (split on spaces) whose start is the decision")
	fs.StringVar(&w.name, "name", "www.example.com.", "the name polled (type A)")
	fs.StringVar(&w.from, "from", "", "the address every server answers before the switch")
	fs.StringVar(&w.want, "want", "", "the address after the switch")
	fs.StringVar(&servers, "servers", "", "NAME=IP:PORT,... the servers polled")
	fs.StringVar(&w.ready, "ready", "", "a file created once every server answers -from and the polling runs")
	fs.DurationVar(&w.timeout, "timeout", 30*time.Second, "give up after this long")
	fs.DurationVar(&w.every, "every", time.Millisecond, "polling interval per server")
	if err := fs.Parse(args); err != nil {
		return w, err
	}
	var err error
	if w.servers, err = parseServers(servers); err != nil {
		return w, err
	}
	switch {
	case w.want == "":
		return w, errors.New("watch: -want is required")
	case (w.log == "") == (w.run == ""):
		return w, errors.New("watch: give exactly one of -log and -run")
	}
	return w, nil
}

// watch times one switch: it waits until every server answers the old
// address, polls each every millisecond, takes the decision's time (from
// zonerw's log, or the start of -run) and prints one line: the label, the
// decision time and, per server, the milliseconds from the decision to
// its first answer with the new address (and, from zonerw's log, to the
// "zone version made" line as published_ms).
func watch(args []string, stdout io.Writer) error {
	w, err := parseWatch(args)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), w.timeout)
	defer cancel()
	if w.from != "" {
		if err := settle(ctx, w); err != nil {
			return err
		}
	}
	seen := make([]time.Time, len(w.servers))
	var wg sync.WaitGroup
	for i, s := range w.servers {
		wg.Go(func() { seen[i] = firstAnswer(ctx, s.addr, w.name, w.want, w.every) })
	}
	if w.ready != "" {
		if err := os.WriteFile(w.ready, nil, 0o644); err != nil {
			return err
		}
	}
	decided, published, err := decision(ctx, w)
	if err != nil {
		cancel()
		wg.Wait()
		return err
	}
	wg.Wait()
	return report(stdout, w, decided, published, seen)
}

// decision is when the switch was decided: the start of w.run, or the
// time of the "switch" line in zonerw's log (and of the "zone version
// made" line after it, zero if there is none).
func decision(ctx context.Context, w watchFlags) (decided, published time.Time, err error) {
	if w.run != "" {
		argv := strings.Fields(w.run)
		decided = time.Now()
		out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
		if err != nil {
			return decided, time.Time{}, fmt.Errorf("watch: %s: %w: %s", w.run, err, out)
		}
		return decided, time.Time{}, nil
	}
	return logTimes(ctx, w.log, w.offset)
}

// report prints the line; a server that never answered the new address
// makes it an error, after the line.
func report(out io.Writer, w watchFlags, decided, published time.Time, seen []time.Time) error {
	var b strings.Builder
	fmt.Fprintf(&b, "label=%s decision=%s", w.label, decided.Format(time.RFC3339Nano))
	if !published.IsZero() {
		fmt.Fprintf(&b, " published_ms=%.3f", ms(published.Sub(decided)))
	}
	var missing []string
	for i, s := range w.servers {
		if seen[i].IsZero() {
			missing = append(missing, s.name)
			continue
		}
		fmt.Fprintf(&b, " %s_ms=%.3f", s.name, ms(seen[i].Sub(decided)))
	}
	fmt.Fprintln(out, b.String())
	if len(missing) > 0 {
		return fmt.Errorf("watch %s: %s did not answer %s with %s within %s", w.label, strings.Join(missing, ", "), w.name, w.want, w.timeout)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
