package main

import (
	"net/netip"
	"strings"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/alert"
	"github.com/zonerw/zonerw/cmd/zonerw/auditlog"
	"github.com/zonerw/zonerw/zones/provider"
)

// driftEvent is one drift a provider read-back found (put back or only
// reported), or a standing drift that is over.
type driftEvent struct {
	provider.Drift
	// Fresh is false for a standing drift found again just as it was last
	// seen; true for a new one, or one whose live values changed.
	Fresh bool
	// Over says the record holds what was published again (by hand, or
	// because a publish wrote it); Live is what it holds now.
	Over bool
}

// record names the drifted record: "www.example.com. A".
func (e driftEvent) record() string { return e.FQDN + " " + e.Record.Type }

// reason is what drifted and what was done, without the record's name.
func (e driftEvent) reason() string {
	if e.Over {
		return "holds " + strings.Join(e.Live, ",") + " again, as published"
	}
	return strings.TrimPrefix(e.String(), e.record()+" ")
}

// outcome is one word for what became of it, for the audit log.
func (e driftEvent) outcome() string {
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

// auditLine is the drift as a line of the audit log.
func (e driftEvent) auditLine() auditlog.Drift {
	return auditlog.Drift{Provider: e.Provider, Zone: e.Zone, Record: e.record(), Service: e.Record.Service,
		Want: addrTexts(e.Want), Live: e.Live, OnDrift: e.Policy, Outcome: e.outcome(), Error: e.FixError,
		Text: e.record() + " " + e.reason(), At: e.At}
}

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

// tellDrift hands p.drift what a publish or read-back found: each drift
// (found), and each drift that stood before the call (before, from
// standingDrift) and is over now.
func (p *providerSink) tellDrift(before map[string]string, found []provider.Drift) {
	if p.drift == nil {
		return
	}
	seen := map[string]bool{}
	for _, d := range found {
		k := d.Record.Name + " " + d.Record.Type
		seen[k] = true
		p.drift(driftEvent{Drift: d, Fresh: before[k] != d.String()})
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
		p.drift(driftEvent{Drift: d, Over: true})
	}
}

// recordFQDN is a provider record's name in its zone ("example.com.").
func recordFQDN(zone, name string) string {
	if name == "@" {
		return zone
	}
	return name + "." + zone
}

// driftRecorder writes each drift to the audit log and raises its alert:
// the first at once, then (throttled) a reminder each hour while it is
// found again; once a drift is over, the next alerts at once.
type driftRecorder struct {
	audit *auditlog.Log
	send  func(alert.Event) // through the alert throttle
	clear func(alert.Event) // forget the throttle's last for it
}

func (r driftRecorder) record(ev driftEvent) {
	if ev.Fresh || ev.Over {
		r.audit.Drift(ev.auditLine())
	}
	a := alert.Event{Kind: alert.Drift, Provider: ev.Provider, Zone: ev.Zone, Service: ev.Record.Service,
		Record: ev.record(), Reason: ev.reason(), At: ev.At}
	if ev.Over {
		r.clear(a)
		return
	}
	r.send(a)
}

// watchProviders makes the daemon's observer and audit log hear of each
// publish, read-back and drift of ps's providers.
func (d *daemon) watchProviders(ps *providerSet) {
	ps.observe = d.obs.providerPublished
	ps.drift = driftRecorder{audit: d.audit, send: d.obs.send, clear: d.obs.recovered}.record
}

// addrTexts writes addresses as strings.
func addrTexts(as []netip.Addr) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}
