package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// profile splits a perf recording of one server into the lab's switches:
// for each watch line in -results, the samples from the decision until
// -server answered, grouped by the functions given with -fn (file offsets
// in -binary, which may be stripped) and by where the rest ran (the rest
// of the binary, the kernel, libraries). The recording is perf script's
// text on stdin:
//
//	perf record -k CLOCK_REALTIME -e cpu-clock -F HZ -p PID -o FILE
//	perf script -i FILE -F time,ip,dso --show-mmap-events
//
// CLOCK_REALTIME puts the samples on the clock of the decision times.
func profile(args []string, stdin io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("profile", flag.ContinueOnError)
	results := fs.String("results", "", "the watch lines (failover-lab.sh's output)")
	server := fs.String("server", "", "the measure whose answer ends each window (knot)")
	binary := fs.String("binary", "", "the server's executable, as perf names it (/usr/sbin/knotd)")
	hz := fs.Float64("hz", 4000, "perf record's sampling frequency (-F)")
	var groups []fnGroup
	fs.Func("fn", "NAME=START-END[,START-END...]: a group of functions by file offset (hex); repeatable", func(s string) error {
		g, err := parseGroup(s)
		groups = append(groups, g)
		return err
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *results == "" || *server == "" || *binary == "" {
		return fmt.Errorf("profile: -results, -server and -binary are required")
	}
	switches, err := readSwitches(*results, *server)
	if err != nil {
		return err
	}
	if len(switches) == 0 {
		return fmt.Errorf("%s: no watch line with decision= and %s_ms=", *results, *server)
	}
	samples, err := readSamples(stdin, *binary)
	if err != nil {
		return err
	}

	names := []string{}
	for _, g := range groups {
		names = append(names, g.name)
	}
	names = append(names, "rest of "+*binary, "kernel", "libraries")
	ms := func(n int) float64 { return float64(n) / *hz * 1000 }

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "switch\t%s ms\t%s\tall\t\n", *server, strings.Join(names, "\t"))
	var answer, grouped []float64
	totals := make([]int, len(names))
	for i, sw := range switches {
		counts := make([]int, len(names))
		end := sw.decided.Add(time.Duration(sw.ms * float64(time.Millisecond)))
		all := 0
		for _, s := range samples {
			if s.at.Before(sw.decided) || s.at.After(end) {
				continue
			}
			counts[s.where(groups)]++
			all++
		}
		fmt.Fprintf(tw, "%d\t%.1f\t", i+1, sw.ms)
		sum := 0
		for j, n := range counts {
			fmt.Fprintf(tw, "%.1f\t", ms(n))
			totals[j] += n
			if j < len(groups) {
				sum += n
			}
		}
		fmt.Fprintf(tw, "%.1f\t\n", ms(all))
		answer = append(answer, sw.ms)
		grouped = append(grouped, ms(sum))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	slices.Sort(answer)
	slices.Sort(grouped)
	fmt.Fprintf(out, "%d switches: %s answered in %.1f ms median (%.1f to %.1f)", len(switches), *server, median(answer), answer[0], answer[len(answer)-1])
	if len(groups) > 0 {
		fmt.Fprintf(out, "; the -fn groups ran %.1f ms median (%.1f to %.1f) of CPU in that time", median(grouped), grouped[0], grouped[len(grouped)-1])
	}
	fmt.Fprintln(out)
	for j, name := range names {
		fmt.Fprintf(out, "  %-28s %6.2f ms per switch\n", name, ms(totals[j])/float64(len(switches)))
	}
	return nil
}

// fnGroup is a named set of functions, each a range of file offsets.
type fnGroup struct {
	name   string
	ranges [][2]uint64
}

func parseGroup(s string) (fnGroup, error) {
	name, spec, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return fnGroup{}, fmt.Errorf("-fn %q: want NAME=START-END", s)
	}
	g := fnGroup{name: name}
	for _, r := range strings.Split(spec, ",") {
		a, b, ok := strings.Cut(r, "-")
		start, err1 := strconv.ParseUint(strings.TrimPrefix(a, "0x"), 16, 64)
		end, err2 := strconv.ParseUint(strings.TrimPrefix(b, "0x"), 16, 64)
		if !ok || err1 != nil || err2 != nil || end <= start {
			return fnGroup{}, fmt.Errorf("-fn %q: %q is not START-END in hex", s, r)
		}
		g.ranges = append(g.ranges, [2]uint64{start, end})
	}
	return g, nil
}

// lapSwitch is one watch line: when zonerw decided, and how many
// milliseconds later the server answered.
type lapSwitch struct {
	decided time.Time
	ms      float64
}

func readSwitches(path, server string) ([]lapSwitch, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []lapSwitch
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var sw lapSwitch
		var haveTime, haveMs bool
		for _, field := range strings.Fields(sc.Text()) {
			k, v, _ := strings.Cut(field, "=")
			switch k {
			case "decision":
				sw.decided, err = time.Parse(time.RFC3339Nano, v)
				haveTime = err == nil
			case server + "_ms":
				sw.ms, err = strconv.ParseFloat(v, 64)
				haveMs = err == nil
			}
		}
		if haveTime && haveMs {
			out = append(out, sw)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// sample is one perf sample: when, and where (a file offset in the
// binary, or which other object).
type sample struct {
	at     time.Time
	offset uint64 // in the binary; valid if inBinary
	inBin  bool
	kernel bool
}

// where returns the index of the sample's column: a group, then the rest
// of the binary, the kernel, libraries.
func (s sample) where(groups []fnGroup) int {
	switch {
	case s.inBin:
		for i, g := range groups {
			for _, r := range g.ranges {
				if s.offset >= r[0] && s.offset < r[1] {
					return i
				}
			}
		}
		return len(groups)
	case s.kernel:
		return len(groups) + 1
	}
	return len(groups) + 2
}

// mmapLine is perf's record of an executable mapping: start, length, file
// offset and path.
var mmapLine = regexp.MustCompile(`PERF_RECORD_MMAP2? [^\[]*\[0x([0-9a-f]+)\(0x([0-9a-f]+)\) @ 0x([0-9a-f]+)[^\]]*\]: r-xp (\S+)`)

func readSamples(r io.Reader, binary string) ([]sample, error) {
	type mapping struct{ start, end, pgoff uint64 }
	var maps []mapping
	var out []sample
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := mmapLine.FindStringSubmatch(line); m != nil {
			if m[4] == binary {
				start, _ := strconv.ParseUint(m[1], 16, 64)
				length, _ := strconv.ParseUint(m[2], 16, 64)
				pgoff, _ := strconv.ParseUint(m[3], 16, 64)
				maps = append(maps, mapping{start, start + length, pgoff})
			}
			continue
		}
		// "   1796293624.965732:  ffffffff817088d9 ([kernel.kallsyms])"
		f := strings.Fields(line)
		if len(f) < 3 || !strings.HasSuffix(f[0], ":") {
			continue
		}
		at, ok := perfTime(strings.TrimSuffix(f[0], ":"))
		if !ok {
			continue
		}
		ip, err := strconv.ParseUint(f[1], 16, 64)
		if err != nil {
			continue
		}
		dso := strings.Trim(f[2], "()")
		s := sample{at: at, kernel: strings.HasPrefix(dso, "[kernel")}
		if dso == binary {
			for _, m := range maps {
				if ip >= m.start && ip < m.end {
					s.offset, s.inBin = ip-m.start+m.pgoff, true
				}
			}
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(maps) == 0 {
		return nil, fmt.Errorf("perf script: no executable mapping of %s (was it run with --show-mmap-events?)", binary)
	}
	return out, nil
}

// perfTime reads perf script's "SECONDS.MICROSECONDS" (a CLOCK_REALTIME
// recording: seconds since 1970) without going through a float.
func perfTime(s string) (time.Time, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || len(frac) > 9 {
		return time.Time{}, false
	}
	ns, err := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(sec, ns), true
}
