package view

import (
	"fmt"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/cmd/zonerw/statedir"
	"github.com/zonerw/zonerw/dnsserver"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones/provider"
	"github.com/zonerw/zonerw/zones/publish"
)

// Status is the answer to GET /status and what `zonerw status` prints.
type Status struct {
	Daemon   bool            `json:"daemon"` // false: read from the state file
	Services failover.State  `json:"services"`
	Zones    map[string]Zone `json:"zones"`
	// Providers is each provider's last success, last error and the
	// values believed live (daemon only).
	Providers []provider.Status `json:"providers,omitempty"`
	// ProviderDestinations are the providers' delivery workers (daemon only).
	ProviderDestinations []Destination `json:"provider_destinations,omitempty"`
	// Held are the zones that follow no decision until a reload (see
	// HeldZones; daemon only).
	Held []string `json:"held,omitempty"`
	// ReloadRefused is the last reload, when it was refused: the daemon
	// runs on the config it had before (daemon only).
	ReloadRefused *Refusal `json:"reload_refused,omitempty"`
}

// Refusal is a reload that was refused.
type Refusal struct {
	At    time.Time `json:"at"`
	Error string    `json:"error"`
}

// Zone is one zone in Status.
type Zone struct {
	Serial uint32 `json:"serial"`
	// Error says why no new version of the zone can be made, if none can.
	Error       string      `json:"error,omitempty"`
	Secondaries []Secondary `json:"secondaries,omitempty"`
	// Destinations are the zone's delivery workers (daemon only): the
	// nameserver and the output file, each with what it holds and how
	// its last attempt went.
	Destinations []Destination `json:"destinations,omitempty"`
	// SignaturesExpire is when the oldest signatures the secondaries hold
	// expire, for a signed zone (daemon only).
	SignaturesExpire time.Time `json:"signatures_expire,omitzero"`
}

// Secondary is one secondary of a zone in Status.
type Secondary struct {
	Address   string `json:"address"`
	Serial    uint32 `json:"serial"`
	Target    uint32 `json:"target"`
	Acked     bool   `json:"acked"`
	CatchUp   string `json:"catch_up"`
	LastError string `json:"last_error,omitempty"`
	// Notified is when the NOTIFY for Target was first sent.
	Notified time.Time `json:"notified,omitzero"`
}

// Destination is one destination in `zonerw status`.
type Destination struct {
	Name        string    `json:"name"`
	Holds       string    `json:"holds,omitempty"`
	Pending     bool      `json:"pending"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	Failures    int       `json:"failures,omitempty"`
	RetryAt     time.Time `json:"retry_at,omitzero"`
}

// Destinations are the pipeline's destination statuses as Status shows them.
func Destinations(ds []publish.DestinationStatus) []Destination {
	var out []Destination
	for _, d := range ds {
		out = append(out, Destination{Name: d.Name, Holds: d.Holds, Pending: d.Pending, LastSuccess: d.LastSuccess,
			LastError: d.LastError, LastErrorAt: d.LastErrorAt, Failures: d.Failures, RetryAt: d.RetryAt})
	}
	return out
}

// Secondaries are the nameserver's secondary states as Status shows them.
func Secondaries(secs []dnsserver.SecondaryState) []Secondary {
	var out []Secondary
	for _, s := range secs {
		out = append(out, Secondary{
			Address: s.Addr.String(), Serial: s.Serial, Target: s.Target, Acked: s.Acked,
			CatchUp: s.CatchUp.String(), LastError: s.LastError, Notified: s.Notified,
		})
	}
	return out
}

// ZoneError is what stops a zone from publishing, for status: a broken
// template, or its version not stored.
func ZoneError(z publish.ZoneStatus) string {
	switch {
	case z.Broken != "" && z.Held:
		return "failovers held back until a reload: template broken: " + z.Broken
	case z.Broken != "":
		return "template broken: " + z.Broken
	case z.StoreError != "":
		return fmt.Sprintf("version not stored: %s", z.StoreError)
	}
	return ""
}

// StatusFromState is Status as the state file of the last run has it,
// for zonerw status without a daemon.
func StatusFromState(cfg *config.Config, st *statedir.File) Status {
	v := Status{Services: st.Services, Zones: map[string]Zone{}}
	for name, z := range st.Zones {
		zone := Zone{Serial: z.Serial}
		if z.FileError != "" {
			// The last run could not write the file: it holds an older
			// version than the serial above.
			zone.Destinations = []Destination{{Name: "file:" + name, Pending: true,
				LastError: z.FileError, LastErrorAt: z.FileErrorAt, Failures: z.FileFailures}}
		}
		v.Zones[name] = zone
	}
	for _, p := range cfg.Providers {
		v.Providers = append(v.Providers, ProviderFromState(p, st.Providers[p.Name]))
	}
	return v
}
