package view

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/zonerw/zonerw/failover"
)

// PrintExplain prints an explanation for people: where the service is and
// why, its rules, a row per target with its recent probes, and the ways
// it could move next. Times are UTC; now is for "ago" and "in".
func PrintExplain(w io.Writer, v Explain, now time.Time) {
	x := v.Explanation
	if !v.Daemon {
		fmt.Fprintln(w, "no daemon running; from the state file of the last run (times of future rounds unknown):")
	}
	fmt.Fprintf(w, "%s serves %s", x.Service, strings.Join(x.Serving, ","))
	if !x.ActiveSince.IsZero() {
		fmt.Fprintf(w, " since %s", at(x.ActiveSince, now))
	}
	fmt.Fprintln(w)
	if x.LastReason != "" {
		fmt.Fprintf(w, "  moved because: %s\n", x.LastReason)
	}
	for _, h := range v.Held {
		fmt.Fprintf(w, "  NOT SERVED:    zone %s; it serves its stored version, which follows no decision until a reload\n", h)
	}
	printProviderRecords(w, v.Providers, now)
	fmt.Fprintf(w, "  now:           %s\n", x.Now)
	fmt.Fprintf(w, "  rules:         %s\n", rulesText(x.Rules))
	if g := x.Governor; g != nil {
		fmt.Fprintf(w, "  flap governor: %d of %d switches used in the last %s", g.Used, g.Max, g.Window)
		if !g.FreeAt.IsZero() {
			fmt.Fprintf(w, "; the next automatic switch before %s is held", at(g.FreeAt, now))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  TARGET\tPRIO\tSTATE\tSTREAK\tRECENT\tLAST PROBE\tLAST RESULT")
	for _, t := range x.Targets {
		ts := &failover.TargetState{Up: t.Up, Successes: t.Successes, Failures: t.Failures}
		last := failover.Probe{}
		if n := len(t.Recent); n > 0 {
			last = t.Recent[n-1]
		}
		fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\t%s\t%s\t%s\n", t.Name, t.Priority, upWord(t.Up), streak(ts, x.Rules.Rise, x.Rules.Fall),
			recentText(t.Recent), at(last.At, now), Dash(probeText(last)))
	}
	tw.Flush()
	fmt.Fprintln(w, "  (recent probes oldest first: + ok, x failed, ? failed but not counted: every witness failed too)")
	if x.LastDrill != nil {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		PrintDrill(tw, "last drill", x.LastDrill, now)
		tw.Flush()
	}
	fmt.Fprintln(w)

	if len(x.Next) == 0 {
		fmt.Fprintln(w, "nothing can move it now")
		return
	}
	fmt.Fprintln(w, "what could move it next, earliest first:")
	for _, m := range x.Next {
		to := m.To
		switch {
		case to == "*":
			to = "every target"
		case x.Rules.Mode == failover.ModePool:
			to = "the pool serving " + to
		}
		when := "time unknown"
		switch {
		case !m.Earliest.IsZero():
			when = "earliest " + at(m.Earliest, now)
		case m.Rounds > 0:
			when = fmt.Sprintf("after at least %d probe round(s)", m.Rounds)
		}
		fmt.Fprintf(w, "  -> %s, %s, if %s", to, when, m.If)
		if m.Held {
			fmt.Fprint(w, " [the flap governor would hold it instead]")
		}
		fmt.Fprintln(w)
	}
	if !x.NextSwitch.IsZero() {
		fmt.Fprintf(w, "earliest possible switch: %s\n", at(x.NextSwitch, now))
	}
}

// rulesText is the service's thresholds in one line.
func rulesText(r failover.Rules) string {
	s := fmt.Sprintf("rise %d, fall %d", r.Rise, r.Fall)
	if r.ConfirmEvery > 0 {
		s += fmt.Sprintf(" (confirmed every %s)", r.ConfirmEvery)
	}
	if r.Mode == failover.ModePool {
		s += ", mode pool"
		if r.MinUp > 1 {
			s += fmt.Sprintf(" (min_up %d)", r.MinUp)
		}
	}
	if r.FailbackDelay > 0 {
		s += fmt.Sprintf(", failback delay %s", r.FailbackDelay)
	}
	if r.MaxSwitches > 0 && r.SwitchWindow > 0 {
		s += fmt.Sprintf(", flap governor %d switches per %s (release %s)", r.MaxSwitches, r.SwitchWindow, orDefault(string(r.FlapRelease), "auto"))
	} else {
		s += ", flap governor off"
	}
	return s + ", all down: " + orDefault(string(r.AllDown), "keep")
}

// recentText is a target's recent probes as one character each.
func recentText(ps []failover.Probe) string {
	if len(ps) == 0 {
		return "-"
	}
	var b strings.Builder
	for _, p := range ps {
		switch {
		case p.OK:
			b.WriteByte('+')
		case p.NotCounted:
			b.WriteByte('?')
		default:
			b.WriteByte('x')
		}
	}
	return b.String()
}

// probeText is a probe's result and, when known, how long it took.
func probeText(p failover.Probe) string {
	if p.Latency > 0 {
		return fmt.Sprintf("%s (%s)", p.Reason, Latency(p.Latency))
	}
	return p.Reason
}

// at is a time in UTC, as the reasons and zonerw log write times, with
// how far it is from now: "2026-11-30T03:25:17Z (in 1m10s)", "(3s ago)";
// "never" for the zero time.
func at(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := t.Sub(now).Round(time.Second)
	if d <= 0 {
		return fmt.Sprintf("%s (%s ago)", t.UTC().Format(time.RFC3339), -d)
	}
	return fmt.Sprintf("%s (in %s)", t.UTC().Format(time.RFC3339), d)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
