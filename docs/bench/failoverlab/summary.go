package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// summary reads watch's lines from files and prints, per label and per
// measure (a server, or published), how many switches, the median, the
// minimum and the maximum in milliseconds.
func summary(files []string, out io.Writer) error {
	values := map[string]map[string][]float64{} // label -> measure -> ms
	var labels []string
	var measures = map[string][]string{} // label -> measures, first-seen order
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			label, kv := parseLine(sc.Text())
			if label == "" {
				continue
			}
			if values[label] == nil {
				values[label] = map[string][]float64{}
				labels = append(labels, label)
			}
			for _, p := range kv {
				if _, seen := values[label][p.key]; !seen {
					measures[label] = append(measures[label], p.key)
				}
				values[label][p.key] = append(values[label][p.key], p.ms)
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "label\tmeasure\tswitches\tmedian ms\tmin ms\tmax ms\t")
	for _, label := range labels {
		for _, m := range measures[label] {
			v := values[label][m]
			slices.Sort(v)
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f\t%.1f\t%.1f\t\n", label, m, len(v), median(v), v[0], v[len(v)-1])
		}
	}
	return tw.Flush()
}

type measure struct {
	key string
	ms  float64
}

// parseLine reads "label=L decision=T a_ms=1.2 b_ms=3.4 ..."; label is
// empty for any other line.
func parseLine(line string) (label string, kv []measure) {
	for _, field := range strings.Fields(line) {
		k, v, ok := strings.Cut(field, "=")
		if !ok {
			return "", nil
		}
		switch {
		case k == "label":
			label = v
		case strings.HasSuffix(k, "_ms"):
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return "", nil
			}
			kv = append(kv, measure{strings.TrimSuffix(k, "_ms"), f})
		}
	}
	return label, kv
}

// median of sorted v.
func median(v []float64) float64 {
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
