package view

import (
	"fmt"
	"github.com/zonerw/zonerw/zones/publish"
	"io"
	"net/netip"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones/provider"
	"github.com/zonerw/zonerw/zones/provider/sink"
)

// Explain is the answer to GET /explain/{service} and what
// `zonerw explain` prints.
type Explain struct {
	Daemon bool `json:"daemon"` // false: worked out from the state file
	failover.Explanation
	// Providers are the provider records that carry the service.
	Providers []ProviderRecord `json:"providers,omitempty"`
	// Held are the zones whose served version follows no decision until
	// a reload (HeldZones), each as "zone: why" (daemon only).
	Held []string `json:"held,omitempty"`
}

// HeldZones lists, as "zone: why", the zones of zs whose template broke
// before it ever compiled: their served version follows no decision
// until a reload compiles it.
func HeldZones(zs []publish.ZoneStatus) []string {
	var out []string
	for _, z := range zs {
		if z.Held && z.Broken != "" {
			out = append(out, z.Name+": "+z.Broken)
		}
	}
	return out
}

// ProviderRecord is one provider record that carries the service, as
// `zonerw explain` shows it: what the provider holds (named by target),
// when that was read, and what is still to be published.
type ProviderRecord struct {
	Provider    string    `json:"provider"`
	Record      string    `json:"record"` // "www.example.com. A"
	Live        string    `json:"live"`   // "127.0.0.11 (main)", "nothing", "never read"
	Read        bool      `json:"read"`   // Live was read from the provider
	VerifiedAt  time.Time `json:"verified_at,omitzero"`
	Want        string    `json:"want,omitempty"`  // what was last asked for
	Pending     bool      `json:"pending"`         // the provider was not seen holding Want
	Drift       string    `json:"drift,omitempty"` // changed outside zonerw and left so (on_drift: report)
	LastError   string    `json:"last_error,omitempty"`
	Failure     string    `json:"failure,omitempty"`
	NextAttempt time.Time `json:"next_attempt,omitzero"`
}

// ProviderRecords lists the provider records that carry service.
func ProviderRecords(cfg *config.Config, service string, sts []provider.Status) []ProviderRecord {
	name := targetNamer(cfg, service)
	var out []ProviderRecord
	for _, st := range sts {
		for _, r := range st.Records {
			if r.Service != service {
				continue
			}
			pr := ProviderRecord{Provider: st.Name, Record: recordName(st, r), Live: liveText(r, name), Read: r.Read, VerifiedAt: r.VerifiedAt,
				Pending: r.Pending(), Drift: r.Drift, LastError: st.LastError, Failure: st.Failure, NextAttempt: st.NextAttempt}
			if r.Want != nil {
				pr.Want = liveText(provider.RecordStatus{Read: true, Live: r.Want}, name)
			}
			out = append(out, pr)
		}
	}
	return out
}

// targetNamer names an address by the service's target that has it:
// "127.0.0.11 (main)".
func targetNamer(cfg *config.Config, service string) func(netip.Addr) string {
	names := map[netip.Addr]string{}
	for _, s := range cfg.Services {
		if s.Name != service {
			continue
		}
		for _, t := range s.Targets {
			for _, a := range []string{t.IPv4, t.IPv6} {
				if ip, err := netip.ParseAddr(a); err == nil {
					names[ip] = t.Name
				}
			}
		}
	}
	return func(a netip.Addr) string {
		if n, ok := names[a]; ok {
			return a.String() + " (" + n + ")"
		}
		return a.String()
	}
}

// printProviderRecords prints one line per provider record of the
// service, under the "serves" line, so that a publish that did not land
// is seen next to what the service serves.
func printProviderRecords(w io.Writer, prs []ProviderRecord, now time.Time) {
	for _, p := range prs {
		if p.Read {
			fmt.Fprintf(w, "  provider %s: %s holds %s", p.Provider, p.Record, p.Live)
		} else {
			fmt.Fprintf(w, "  provider %s: %s not read yet", p.Provider, p.Record)
		}
		if !p.VerifiedAt.IsZero() {
			fmt.Fprintf(w, " (read %s)", at(p.VerifiedAt, now))
		}
		switch {
		case p.Drift != "":
			fmt.Fprintf(w, "; DRIFT: changed outside zonerw, want %s", p.Want)
		case !p.Read && !p.Pending:
		case !p.Pending:
			fmt.Fprint(w, "; in sync")
		case p.LastError != "":
			fmt.Fprintf(w, "; PENDING %s: the last publish failed (%s): %s", p.Want, orDefault(p.Failure, "error"), p.LastError)
			if !p.NextAttempt.IsZero() {
				fmt.Fprintf(w, "; next attempt %s", at(p.NextAttempt, now))
			}
		default:
			fmt.Fprintf(w, "; PENDING %s", p.Want)
		}
		fmt.Fprintln(w)
	}
}

// ProviderStatuses is every configured provider's status from the state
// file.
func ProviderStatuses(cfg *config.Config, st map[string]sink.State) []provider.Status {
	var out []provider.Status
	for _, p := range cfg.Providers {
		out = append(out, ProviderFromState(p, st[p.Name]))
	}
	return out
}
