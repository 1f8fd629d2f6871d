package sink

import (
	"net/netip"
	"strings"
	"time"

	"github.com/zonerw/zonerw/zones/provider"
)

// DriftEvent is one drift a provider read-back found (put back or only
// reported), or a standing drift that is over.
type DriftEvent struct {
	provider.Drift
	// Fresh is false for a standing drift found again just as it was last
	// seen; true for a new one, or one whose live values changed.
	Fresh bool
	// Over says the record holds what was published again (by hand, or
	// because a publish wrote it); Live is what it holds now.
	Over bool
}

// RecordName names the drifted record: "www.example.com. A".
func (e DriftEvent) RecordName() string { return e.FQDN + " " + e.Record.Type }

// Reason is what drifted and what was done, without the record's name.
func (e DriftEvent) Reason() string {
	if e.Over {
		return "holds " + strings.Join(e.Live, ",") + " again, as published"
	}
	return strings.TrimPrefix(e.String(), e.RecordName()+" ")
}

// Outcome is one word for what became of it, for the audit log:
// "over", "put_back", "reported" or "put_back_failed".
func (e DriftEvent) Outcome() string {
	switch {
	case e.Over:
		return "over"
	case e.Fixed:
		return "put_back"
	case e.Policy == provider.DriftReport:
		return "reported"
	}
	return "put_back_failed"
}

// WantText is the addresses the record should hold, as strings.
func (e DriftEvent) WantText() []string { return addrTexts(e.Want) }

// standingDrift is each record's standing drift ("www A" -> its text).
func standingDrift(st provider.Status) map[string]string {
	out := map[string]string{}
	for _, r := range st.Records {
		if r.Drift != "" {
			out[r.Name+" "+r.Type] = r.Drift
		}
	}
	return out
}

// tellDrift hands opts.Drift what a publish or read-back found: each
// drift (found), and each drift that stood before the call (before, from
// standingDrift) and is over now.
func (p *Sink) tellDrift(before map[string]string, found []provider.Drift) {
	if p.opts.Drift == nil {
		return
	}
	seen := map[string]bool{}
	for _, d := range found {
		k := d.Record.Name + " " + d.Record.Type
		seen[k] = true
		p.opts.Drift(DriftEvent{Drift: d, Fresh: before[k] != d.String()})
	}
	st := p.pub.Status()
	for _, r := range st.Records {
		k := r.Name + " " + r.Type
		if before[k] == "" || r.Drift != "" || seen[k] {
			continue
		}
		rec := provider.Record{Name: r.Name, Type: r.Type, Service: r.Service}
		d := provider.Drift{Provider: st.Name, Zone: st.Zone, Record: rec, FQDN: recordFQDN(st.Zone, r.Name),
			Want: r.Want, Live: addrTexts(r.Live), At: time.Now()}
		p.opts.Drift(DriftEvent{Drift: d, Over: true})
	}
}

// recordFQDN is a provider record's name in its zone ("example.com.").
func recordFQDN(zone, name string) string {
	if name == "@" {
		return zone
	}
	return name + "." + zone
}

// addrTexts writes addresses as strings.
func addrTexts(as []netip.Addr) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}
