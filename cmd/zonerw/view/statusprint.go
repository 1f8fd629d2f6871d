package view

import (
	"fmt"
	"io"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/failover"
)

// PrintStatus prints v as tables: services and their targets, providers,
// zones and their secondaries. now is for "ago" and lag.
func PrintStatus(w io.Writer, cfg *config.Config, v Status, now time.Time) {
	if !v.Daemon {
		fmt.Fprintln(w, "no daemon running; from the state file of the last run:")
	}
	PrintWarnings(w, v, now)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range cfg.Services {
		printService(tw, s, v.Services[s.Name], now)
	}
	if len(v.Providers) > 0 {
		printProviders(tw, v.Providers, now)
	}
	if len(v.Zones) > 0 {
		fmt.Fprintln(tw, "ZONE\tSERIAL\tSECONDARY\tSERIAL\tSTATE")
		for _, name := range slices.Sorted(maps.Keys(v.Zones)) {
			z := v.Zones[name]
			fmt.Fprintf(tw, "%s\t%d\t\t\t%s\n", name, z.Serial, zoneState(z, now))
			for _, sec := range z.Secondaries {
				fmt.Fprintf(tw, "\t\t%s\t%d\t%s\n", sec.Address, sec.Serial, secondaryState(sec, now))
			}
		}
	}
	tw.Flush()
}

// PrintWarnings prints the lines that head the status: a refused reload,
// the zones held back. They need no config to print.
func PrintWarnings(w io.Writer, v Status, now time.Time) {
	if r := v.ReloadRefused; r != nil {
		fmt.Fprintf(w, "RELOAD REFUSED %s: still running on the config before it: %s\n", ago(r.At, now), r.Error)
	}
	for _, h := range v.Held {
		fmt.Fprintf(w, "HELD zone %s; its served version follows none of the decisions below until a reload\n", h)
	}
}

// zoneState is a zone's STATE column: why no new version can be made, if
// none can, each destination whose last attempt failed, and when a signed
// zone's oldest signatures expire.
func zoneState(z Zone, now time.Time) string {
	var parts []string
	if z.Error != "" {
		parts = append(parts, z.Error)
	}
	for _, d := range z.Destinations {
		if d.LastError != "" {
			parts = append(parts, DestinationFailing(d, now))
		}
	}
	if at := z.SignaturesExpire; !at.IsZero() {
		when := at.Local().Format("2006-01-02 15:04")
		if left := at.Sub(now); left > 0 {
			parts = append(parts, fmt.Sprintf("signatures expire %s (in %s)", when, span(left)))
		} else {
			parts = append(parts, fmt.Sprintf("signatures EXPIRED %s (%s ago)", when, span(-left)))
		}
	}
	return strings.Join(parts, "; ")
}

// DestinationFailing says that a destination's attempts fail: "file:example.com
// FAILING (3 attempts): <error>; next attempt in 8s".
func DestinationFailing(d Destination, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s FAILING", d.Name)
	if d.Failures > 1 {
		fmt.Fprintf(&b, " (%d attempts)", d.Failures)
	}
	b.WriteString(": " + d.LastError)
	if !d.RetryAt.IsZero() {
		if left := d.RetryAt.Sub(now); left > 0 {
			fmt.Fprintf(&b, "; next attempt in %s", left.Round(time.Second))
		} else {
			b.WriteString("; next attempt now")
		}
	}
	return b.String()
}

// span is d to the minute, or in days from a day on.
func span(d time.Duration) string {
	if d >= 24*time.Hour {
		return fmt.Sprintf("%.1f days", d.Hours()/24)
	}
	return d.Round(time.Minute).String()
}

// printService prints one service's line and a row per target.
func printService(tw io.Writer, s config.Service, st *failover.ServiceState, now time.Time) {
	if st == nil {
		fmt.Fprintf(tw, "service %s: never run\n\n", s.Name)
		return
	}
	if s.Mode == string(failover.ModePool) {
		fmt.Fprintf(tw, "service %s: pool serves %s", s.Name, strings.Join(serviceTargets(s, st), ","))
	} else {
		fmt.Fprintf(tw, "service %s: active %s", s.Name, strings.Join(serviceTargets(s, st), ","))
	}
	if st.Hold != nil {
		fmt.Fprintf(tw, " (flap governor holding since %s)", st.Hold.Since.Local().Format(time.RFC3339))
	}
	if st.Pin != nil && st.Pin.Drill {
		fmt.Fprintf(tw, " (failover drill: moved from %s until %s)", st.Pin.From, untilText(st.Pin.Until))
	} else if st.Pin != nil {
		fmt.Fprintf(tw, " (pinned to %s until %s", st.Pin.Target, untilText(st.Pin.Until))
		if st.Pin.Reason != "" {
			fmt.Fprintf(tw, ": %s", st.Pin.Reason)
		}
		fmt.Fprint(tw, ")")
	}
	fmt.Fprintln(tw)
	if !st.ActiveSince.IsZero() {
		fmt.Fprintf(tw, "  moved %s: %s\n", ago(st.ActiveSince, now), st.Reason)
	}
	fmt.Fprintln(tw, "  TARGET\tSTATE\tSTREAK\tLAST PROBE\tLAST RESULT")
	for _, t := range s.Targets {
		ts := st.Targets[t.Name]
		if ts == nil {
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", t.Name, upWord(ts.Up), streak(ts, s.Rise, s.Fall),
			ago(ts.LastProbe, now), Dash(ts.LastReason))
	}
	if st.LastDrill != nil {
		PrintDrill(tw, "last drill", st.LastDrill, now)
	}
	fmt.Fprintln(tw)
}

// serviceTargets is what the service serves, in config order: its active
// target, a pool's members, or every target under all_down: all.
func serviceTargets(s config.Service, st *failover.ServiceState) []string {
	var out []string
	for _, t := range s.Targets {
		if st.Serves(t.Name) {
			out = append(out, t.Name)
		}
	}
	if len(out) == 0 {
		return []string{st.Active}
	}
	return out
}

// streak says how far a target is from changing state: "2/3 failures"
// on an up target means one more failure marks it down.
func streak(ts *failover.TargetState, rise, fall int) string {
	switch {
	case ts.Up && ts.Failures > 0:
		return fmt.Sprintf("%d/%d failures", ts.Failures, fall)
	case !ts.Up && ts.Successes > 0:
		return fmt.Sprintf("%d/%d successes", ts.Successes, rise)
	case ts.Up:
		return fmt.Sprintf("%d ok", ts.Successes)
	}
	return fmt.Sprintf("%d failed", ts.Failures)
}

// secondaryState says whether a secondary caught up, and if not for how long
// it has been behind.
func secondaryState(s Secondary, now time.Time) string {
	var b strings.Builder
	switch {
	case s.Serial == s.Target && s.Target != 0:
		b.WriteString("in sync")
		if s.CatchUp != "" && s.CatchUp != "0s" {
			b.WriteString(" (caught up in " + s.CatchUp + ")")
		}
	case !s.Notified.IsZero():
		fmt.Fprintf(&b, "BEHIND: want %d, %s since the NOTIFY", s.Target, now.Sub(s.Notified).Round(time.Second))
	default:
		fmt.Fprintf(&b, "BEHIND: want %d", s.Target)
	}
	if !s.Acked && s.Target != 0 {
		b.WriteString(", NOTIFY not acknowledged")
	}
	if s.LastError != "" {
		b.WriteString(", last error: " + s.LastError)
	}
	return b.String()
}

func upWord(up bool) string {
	if up {
		return "up"
	}
	return "DOWN"
}

// ago is t with how long ago it was, or "never".
func ago(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return fmt.Sprintf("%s (%s ago)", t.Local().Format("2006-01-02 15:04:05"), now.Sub(t).Round(time.Second))
}

func untilText(t time.Time) string {
	if t.IsZero() {
		return "unpinned"
	}
	return t.Local().Format(time.RFC3339)
}

func addrList(as []netip.Addr) string {
	if as == nil {
		return "?"
	}
	var ss []string
	for _, a := range as {
		ss = append(ss, a.String())
	}
	return strings.Join(ss, ",")
}

// Dash is s, or "-" for nothing.
func Dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Problems lists what in v needs a person, one short line each: a refused
// reload, a zone held back or unable to make versions, a destination or
// provider whose attempts fail, a provider record changed by hand and not
// put back, signatures past their expiry. `zonerw status` exits 1 when
// there is any. A target that is down is not one: moving the names away
// from it is zonerw doing its job, and the service's own line says so.
func Problems(v Status, now time.Time) []string {
	var out []string
	if v.ReloadRefused != nil {
		out = append(out, "reload refused: "+v.ReloadRefused.Error)
	}
	for _, h := range v.Held {
		out = append(out, "zone "+h+" held")
	}
	for _, name := range slices.Sorted(maps.Keys(v.Zones)) {
		z := v.Zones[name]
		if z.Error != "" {
			out = append(out, "zone "+name+": "+z.Error)
		}
		for _, d := range z.Destinations {
			if d.LastError != "" {
				out = append(out, "zone "+name+": "+DestinationFailing(d, now))
			}
		}
		if at := z.SignaturesExpire; !at.IsZero() && !at.After(now) {
			out = append(out, "zone "+name+": signatures expired")
		}
	}
	for _, p := range v.Providers {
		if p.LastError != "" {
			out = append(out, "provider "+p.Name+" FAILING: "+p.LastError)
		}
		for _, r := range p.Records {
			if r.Drift != "" {
				out = append(out, "provider "+p.Name+" DRIFT: "+r.Drift)
			}
		}
	}
	for _, d := range v.ProviderDestinations {
		if d.LastError != "" {
			out = append(out, DestinationFailing(d, now))
		}
	}
	return out
}
