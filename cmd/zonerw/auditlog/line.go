package auditlog

import (
	"time"

	"github.com/zonerw/zonerw/failover"
)

// Line is one line of audit.log.
type Line struct {
	Type     string             `json:"type"` // "switch", "event" or "drift"
	Decision *failover.Decision `json:"decision,omitempty"`
	Event    *failover.Event    `json:"event,omitempty"`
	Drift    *Drift             `json:"drift,omitempty"`
}

// Drift is a drift line of audit.log: a provider's record found not
// holding what was published, and what became of it.
type Drift struct {
	Provider string   `json:"provider"`
	Zone     string   `json:"zone"`
	Record   string   `json:"record"` // "www.example.com. A"
	Service  string   `json:"service"`
	Want     []string `json:"want"`
	Live     []string `json:"live"`               // what the provider held when it was read
	OnDrift  string   `json:"on_drift,omitempty"` // the policy; empty for "over"
	// Outcome is "put_back", "reported" (on_drift: report),
	// "put_back_failed" (Error says why) or "over" (the record holds
	// what was published again).
	Outcome string    `json:"outcome"`
	Error   string    `json:"error,omitempty"`
	Text    string    `json:"text"` // all of it in one line, for people
	At      time.Time `json:"at"`
}

// At is when the entry's switch, event or drift happened.
func (l Line) At() time.Time {
	switch {
	case l.Decision != nil:
		return l.Decision.At
	case l.Drift != nil:
		return l.Drift.At
	}
	return l.Event.At
}

// Service is the service the entry's switch or event concerns, or whose
// provider record drifted.
func (l Line) Service() string {
	switch {
	case l.Decision != nil:
		return l.Decision.Service
	case l.Drift != nil:
		return l.Drift.Service
	}
	return l.Event.Service
}

// Filter selects audit entries. The zero value selects all.
type Filter struct {
	Since   time.Time // entries before it are skipped
	Service string    // if set, entries of other services are skipped
}

func (f Filter) match(e Line) bool {
	return (f.Service == "" || e.Service() == f.Service) && !e.At().Before(f.Since)
}
