// Package statuspage renders zonerw's status page: one server-rendered
// HTML page (html/template, no script, no build step) that refreshes
// itself and reads well on a phone, and the same data as JSON.
package statuspage

import (
	"fmt"
	"time"
)

// Data is everything the page shows. The caller fills it from the daemon;
// this package only presents it.
type Data struct {
	Host      string     `json:"host"`
	Generated time.Time  `json:"generated"`
	Services  []Service  `json:"services"`
	Zones     []Zone     `json:"zones"`
	Providers []Provider `json:"providers,omitempty"`
	Events    []Event    `json:"events"` // newest first
	// Problems are things the page could not read (the audit log, say).
	Problems []string `json:"problems,omitempty"`
}

// Service is one service and its targets in priority order.
type Service struct {
	Name     string `json:"name"`
	Active   string `json:"active"`
	ServeAll bool   `json:"serve_all,omitempty"` // all-down policy "all"
	Pin      string `json:"pin,omitempty"`       // why it is pinned, if it is
	Hold     string `json:"hold,omitempty"`      // why the flap governor holds it, if it does
	// Members are the targets a pool (mode: pool) serves; empty otherwise.
	Members []string `json:"members,omitempty"`
	// Drill says how the last failover drill went, if one ran.
	Drill string `json:"drill,omitempty"`
	// Since and Why say when and why it last moved (zero and empty if it
	// never has).
	Since   time.Time `json:"since,omitzero"`
	Why     string    `json:"why,omitempty"`
	Targets []Target  `json:"targets"`
}

// Target is one target's state after the rise/fall thresholds.
type Target struct {
	Name       string    `json:"name"`
	Up         bool      `json:"up"`
	Active     bool      `json:"active"` // the service points at it
	LastReason string    `json:"last_reason,omitempty"`
	LastProbe  time.Time `json:"last_probe,omitzero"`
}

// Zone is one zone and its secondaries.
type Zone struct {
	Name        string      `json:"name"`
	Serial      uint32      `json:"serial"`
	Secondaries []Secondary `json:"secondaries,omitempty"`
}

// Secondary is one secondary's view of a zone.
type Secondary struct {
	Address   string        `json:"address"`
	Serial    uint32        `json:"serial"` // last reported
	Target    uint32        `json:"target"` // should reach
	Acked     bool          `json:"acked"`
	Behind    time.Duration `json:"behind_ns"` // since the NOTIFY it has not caught up with
	LastError string        `json:"last_error,omitempty"`
}

// CaughtUp reports whether the secondary serves the published serial.
func (s Secondary) CaughtUp() bool { return s.Target == 0 || s.Serial == s.Target }

// Provider is one DNS hosting API zonerw pushes to.
type Provider struct {
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`
	Zone        string    `json:"zone"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	InSync      int       `json:"in_sync"` // records last read holding what was asked
	Records     int       `json:"records"`
	// Drift lists the records changed outside zonerw and left so (on_drift:
	// report, or a put-back that failed), each with what it holds.
	Drift []Drift `json:"drift,omitempty"`
}

// Drift is one provider record's standing drift.
type Drift struct {
	Since time.Time `json:"since"`
	Text  string    `json:"text"` // "www.example.com. A holds 203.0.113.99, want ..."
}

// Event is one line of the audit log.
type Event struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"` // "switch", "drift" or the failover event kind
	Service string    `json:"service"`
	Text    string    `json:"text"`
}

// Ago says how long before d.Generated t was, for people: "12s ago".
func (d Data) Ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return Duration(d.Generated.Sub(t)) + " ago"
}

// Duration rounds d for people: 850ms, 12s, 4m10s, 3h05m, 2d4h.
func Duration(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(time.Second).String()
	case d < time.Hour:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	d = d.Round(time.Hour)
	return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
}
