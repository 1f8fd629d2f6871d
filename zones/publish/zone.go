package publish

import (
	"time"

	"github.com/zonerw/zonerw/templates"
	"github.com/zonerw/zonerw/zones"
)

// Zone is one zone the pipeline keeps written.
type Zone struct {
	Name     string // the origin, e.g. "example.com."
	Template *templates.Template
	Output   string // the zone file an external nameserver loads; "" for none
	Policy   zones.SerialPolicy
	Parse    zones.ParseOptions
	Reload   Reload
}

// Reload is the command that makes a nameserver pick up a rewritten file.
type Reload struct {
	Command []string // empty: nothing to run
	Timeout time.Duration
}

// ZoneState is what the pipeline remembers about a zone between runs.
type ZoneState struct {
	zones.ZoneState
	// ReloadPending is set when the file was written but the reload command
	// failed; the next run retries the reload even if nothing changed.
	ReloadPending bool `json:"reload_pending,omitempty"`
}
