package publish

import (
	"time"

	"github.com/zonerw/zonerw/templates"
	"github.com/zonerw/zonerw/zones"
)

// Zone is one zone the pipeline keeps published, as the config describes it.
type Zone struct {
	Name     string // the origin, e.g. "example.com."
	Template *templates.Template
	Output   string // the zone file an external nameserver loads; "" for none
	Policy   zones.SerialPolicy
	Parse    zones.ParseOptions
	Reload   Reload
	// OverrideTTL names the services given a failover TTL at some point:
	// their marker records must not lend it to other records (see
	// templates.Template.CheckTTLOverride).
	OverrideTTL map[string]bool
	// Signer signs the zone (DNSSEC); nil for a zone served unsigned.
	Signer Signer
}

// Reload is the command that makes a nameserver pick up a rewritten file.
type Reload struct {
	Command []string // empty: nothing to run
	Timeout time.Duration
}

// ZoneState is what is remembered about a zone between runs besides its
// stored version: the state file's copy of the serial and digest (a floor,
// and a way to tell an unchanged zone when the store is lost) and whether
// a reload command is owed.
type ZoneState struct {
	zones.ZoneState
	// ReloadPending is set when the file was written but the reload command
	// failed; the next run retries the reload even if nothing changed.
	ReloadPending bool `json:"reload_pending,omitempty"`
	// FileError is why the output file could not be written (or its
	// reload command run) at the last attempt, empty after a success: the
	// file still holds an older version. FileFailures counts the attempts
	// that failed in a row. For zonerw status when no daemon runs.
	FileError    string    `json:"file_error,omitempty"`
	FileErrorAt  time.Time `json:"file_error_at,omitzero"`
	FileFailures int       `json:"file_failures,omitempty"`
}

// Values is what the services serve now: for each service the addresses
// its markers stand for, and the TTL its marker records get (absent or 0:
// the template's).
type Values struct {
	Active map[string]templates.Addrs
	TTL    map[string]uint32
}
