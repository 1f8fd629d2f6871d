// Package alert tells operators what zonerw did or could not do: each
// event goes to every configured sink (a webhook, a command) through a
// bounded queue and a worker that retries with backoff. Sending never
// blocks the caller: a failover must not wait for a chat server.
package alert

import (
	"fmt"
	"strings"
	"time"
)

// Kind names what happened.
type Kind string

// The kinds of Event.
const (
	Switch          Kind = "switch"           // a service's active target changed
	AllDown         Kind = "all_down"         // every target of a service is down
	Isolated        Kind = "isolated"         // the isolation guard held a change
	FlapHeld        Kind = "flap_held"        // the flap governor refused a switch
	SecondaryBehind Kind = "secondary_behind" // a secondary has not caught up
	NotifyFailing   Kind = "notify_failing"   // a secondary does not acknowledge NOTIFY
	PublishFailing  Kind = "publish_failing"  // a zone or provider publish failed
	ReloadFailed    Kind = "reload_failed"    // a config reload was refused
	Drift           Kind = "drift"            // a provider's record was changed outside zonerw
	PoolChanged     Kind = "pool_changed"     // a pool's members changed
	DrillPassed     Kind = "drill_passed"     // a failover drill passed
	DrillFailed     Kind = "drill_failed"     // a failover drill failed or was aborted
	DrillSkipped    Kind = "drill_skipped"    // a scheduled failover drill could not run
)

// Event is one alert. Fields that do not apply are empty.
type Event struct {
	Kind      Kind   `json:"kind"`
	Service   string `json:"service,omitempty"`
	Target    string `json:"target,omitempty"`
	From      string `json:"from,omitempty"`
	To        string `json:"to,omitempty"`
	Zone      string `json:"zone,omitempty"`
	Secondary string `json:"secondary,omitempty"`
	Provider  string `json:"provider,omitempty"`
	// Destination names where a publish failed for a zone: "nameserver"
	// (the embedded one) or "file" (the output file and reload command).
	Destination string `json:"destination,omitempty"`
	// Record names a provider's record that drifted: "www.example.com. A".
	Record string    `json:"record,omitempty"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// Text is the event in one line for a chat message or a mail subject.
func (e Event) Text() string {
	var b strings.Builder
	b.WriteString("zonerw: ")
	switch e.Kind {
	case Switch:
		fmt.Fprintf(&b, "%s switched from %s to %s", e.Service, e.From, e.To)
	case AllDown:
		fmt.Fprintf(&b, "every target of %s is down", e.Service)
	case Isolated:
		fmt.Fprintf(&b, "%s: this checker looks cut off; the failures were not counted", e.Service)
	case FlapHeld:
		fmt.Fprintf(&b, "%s is flapping; held on %s", e.Service, e.Target)
	case SecondaryBehind:
		fmt.Fprintf(&b, "secondary %s of %s has not caught up", e.Secondary, e.Zone)
	case NotifyFailing:
		fmt.Fprintf(&b, "secondary %s of %s does not acknowledge NOTIFY", e.Secondary, e.Zone)
	case PublishFailing:
		fmt.Fprintf(&b, "publishing %s failed", firstOf(e.Zone, e.Provider))
		if e.Destination != "" {
			fmt.Fprintf(&b, " at its %s", e.Destination)
		}
	case ReloadFailed:
		b.WriteString("config reload failed; still running on the previous config")
	case Drift:
		fmt.Fprintf(&b, "%s at %s no longer holds what zonerw published", e.Record, e.Provider)
	case PoolChanged:
		fmt.Fprintf(&b, "pool %s now serves %s", e.Service, e.To)
	case DrillPassed:
		fmt.Fprintf(&b, "failover drill of %s passed", e.Service)
	case DrillFailed:
		fmt.Fprintf(&b, "failover drill of %s did not pass", e.Service)
	case DrillSkipped:
		fmt.Fprintf(&b, "scheduled failover drill of %s skipped", e.Service)
	default:
		fmt.Fprintf(&b, "%s %s", e.Kind, e.Service)
	}
	if e.Reason != "" {
		fmt.Fprintf(&b, " (%s)", e.Reason)
	}
	return b.String()
}

// Env is the event as environment variables for an exec hook.
func (e Event) Env() []string {
	return []string{
		"ZONERW_EVENT_KIND=" + string(e.Kind),
		"ZONERW_SERVICE=" + e.Service,
		"ZONERW_TARGET=" + e.Target,
		"ZONERW_FROM=" + e.From,
		"ZONERW_TO=" + e.To,
		"ZONERW_ZONE=" + e.Zone,
		"ZONERW_SECONDARY=" + e.Secondary,
		"ZONERW_PROVIDER=" + e.Provider,
		"ZONERW_DESTINATION=" + e.Destination,
		"ZONERW_RECORD=" + e.Record,
		"ZONERW_REASON=" + e.Reason,
		"ZONERW_AT=" + e.At.UTC().Format(time.RFC3339),
		"ZONERW_TEXT=" + e.Text(),
	}
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
