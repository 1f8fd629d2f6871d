package main

import (
	"github.com/zonerw/zonerw/cmd/zonerw/alert"
	"github.com/zonerw/zonerw/cmd/zonerw/auditlog"
	"github.com/zonerw/zonerw/zones/provider/sink"
)

// driftRecorder writes each drift to the audit log and raises its alert:
// the first at once, then (throttled) a reminder each hour while it is
// found again; once a drift is over, the next alerts at once.
type driftRecorder struct {
	audit *auditlog.Log
	send  func(alert.Event) // through the alert throttle
	clear func(alert.Event) // forget the throttle's last for it
}

func (r driftRecorder) record(ev sink.DriftEvent) {
	if ev.Fresh || ev.Over {
		r.audit.Drift(auditlog.Drift{Provider: ev.Provider, Zone: ev.Zone, Record: ev.RecordName(), Service: ev.Record.Service,
			Want: ev.WantText(), Live: ev.Live, OnDrift: ev.Policy, Outcome: ev.Outcome(), Error: ev.FixError,
			Text: ev.RecordName() + " " + ev.Reason(), At: ev.At})
	}
	a := alert.Event{Kind: alert.Drift, Provider: ev.Provider, Zone: ev.Zone, Service: ev.Record.Service,
		Record: ev.RecordName(), Reason: ev.Reason(), At: ev.At}
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
