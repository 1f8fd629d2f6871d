package view

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/zones/provider"
	"github.com/zonerw/zonerw/zones/provider/sink"
)

// ProviderFromState is a provider's status as the last run left it
// in the state file, in the config's terms.
func ProviderFromState(p config.Provider, s sink.State) provider.Status {
	var st provider.Status
	if s.Status != nil {
		st = *s.Status
	} else {
		st = provider.Status{LastSuccess: s.LastVerify, LastError: s.LastError}
		for _, r := range p.Records {
			st.Records = append(st.Records, provider.RecordStatus{Name: strings.ToLower(r.Name), Type: strings.ToUpper(r.Type), Service: r.Service})
		}
	}
	st.Name, st.Kind = p.Name, provider.Kind(p.Type)
	if st.Zone == "" {
		st.Zone = strings.TrimSuffix(strings.ToLower(p.Zone), ".") + "."
	}
	st.NextAttempt = s.NextAttempt
	return st
}

// recordName is a provider record's name and type: "www.example.com. A".
func recordName(st provider.Status, r provider.RecordStatus) string {
	if r.Name == "@" {
		return st.Zone + " " + r.Type
	}
	return r.Name + "." + st.Zone + " " + r.Type
}

// liveText is what a record was last seen holding.
func liveText(r provider.RecordStatus, name func(netip.Addr) string) string {
	if !r.Read {
		return "never read"
	}
	if r.Unknown {
		// A change went out after the last read and was not read back:
		// the value read before it may be gone.
		return "unknown (changed since read)"
	}
	if len(r.Live) == 0 {
		return "nothing"
	}
	var s []string
	for _, a := range r.Live {
		s = append(s, name(a))
	}
	if r.Proxied {
		return strings.Join(s, ",") + " (proxied)"
	}
	return strings.Join(s, ",")
}

func plainAddr(a netip.Addr) string { return a.String() }

// printProviders prints the providers for `zonerw status`: per provider
// its zone, last success and failure, each record's standing drift, then
// a row per record with what it holds, when that was read and what is
// pending.
func printProviders(tw io.Writer, ps []provider.Status, now time.Time) {
	for _, p := range ps {
		fmt.Fprintf(tw, "provider %s: zone %s at %s, last success %s\n", p.Name, p.Zone, Dash(p.Endpoint), ago(p.LastSuccess, now))
		if p.LastError != "" {
			since := p.FailingSince
			if since.IsZero() {
				since = p.LastErrorAt // a state file from before FailingSince
			}
			fmt.Fprintf(tw, "  FAILING (%s) since %s: %s\n", orDefault(p.Failure, "error"), ago(since, now), p.LastError)
		}
		if !p.NextAttempt.IsZero() {
			fmt.Fprintf(tw, "  next attempt %s, or at once when the token, key or config changes\n", untilAt(p.NextAttempt, now))
		}
		for _, r := range p.Records {
			if r.Drift != "" {
				fmt.Fprintf(tw, "  DRIFT since %s: %s\n", ago(r.DriftSince, now), r.Drift)
			}
		}
		fmt.Fprintln(tw, "  RECORD\tSERVICE\tLIVE\tVERIFIED\tPENDING")
		for _, r := range p.Records {
			pending := "-"
			if r.Pending() {
				pending = addrList(r.Want)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", recordName(p, r), r.Service, liveText(r, plainAddr), ago(r.VerifiedAt, now), pending)
		}
		fmt.Fprintln(tw)
	}
}

// untilAt is a future time with how far off it is.
func untilAt(t, now time.Time) string {
	if !t.After(now) {
		return "now"
	}
	return fmt.Sprintf("%s (in %s)", t.Local().Format("2006-01-02 15:04:05"), t.Sub(now).Round(time.Second))
}
