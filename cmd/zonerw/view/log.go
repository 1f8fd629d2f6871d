package view

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/auditlog"
	"github.com/zonerw/zonerw/failover"
)

// PrintEntry writes e for people: one line, then one indented line per
// probe result that caused it.
func PrintEntry(w io.Writer, e auditlog.Line) error {
	var head string
	var cause []failover.Observation
	switch {
	case e.Decision != nil:
		d := e.Decision
		head = fmt.Sprintf("switch  %s  %s -> %s  %s", d.Service, Dash(d.From), servingText(*d), d.Reason)
		cause = d.Cause
	case e.Drift != nil:
		head = fmt.Sprintf("drift  %s  %s  %s", e.Drift.Provider, Dash(e.Drift.Service), e.Drift.Text)
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
	return Dash(d.To)
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
		s += " " + Latency(o.Latency)
	}
	return s
}

// Latency is how long a probe took, to the millisecond, or to the
// microsecond below one.
func Latency(d time.Duration) string {
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
