package observe

import (
	"github.com/zonerw/zonerw/cmd/zonerw/alert"
	"github.com/zonerw/zonerw/cmd/zonerw/auditlog"
	"github.com/zonerw/zonerw/zones/provider/sink"
)

// DriftRecorder writes each drift to the audit log and raises its alert:
// the first at once, then (throttled) a reminder each hour while it is
// found again; once a drift is over, the next alerts at once.
type DriftRecorder struct {
	Audit *auditlog.Log
	Send  func(alert.Event) // through the alert throttle
	Clear func(alert.Event) // forget the throttle's last for it
}

// Record writes ev to the audit log when it is new or over, and raises
// or clears its alert.
func (r DriftRecorder) Record(ev sink.DriftEvent) {
	if ev.Fresh || ev.Over {
		r.Audit.Drift(auditlog.Drift{Provider: ev.Provider, Zone: ev.Zone, Record: ev.RecordName(), Service: ev.Record.Service,
			Want: ev.WantText(), Live: ev.Live, OnDrift: ev.Policy, Outcome: ev.Outcome(), Error: ev.FixError,
			Text: ev.RecordName() + " " + ev.Reason(), At: ev.At})
	}
	a := alert.Event{Kind: alert.Drift, Provider: ev.Provider, Zone: ev.Zone, Service: ev.Record.Service,
		Record: ev.RecordName(), Reason: ev.Reason(), At: ev.At}
	if ev.Over {
		r.Clear(a)
		return
	}
	r.Send(a)
	if ev.Fixed {
		// Put back as soon as found: it is over already, so the next
		// hand-made change of the record is alerted as a new drift, not
		// held back as a reminder of this one.
		r.Clear(a)
	}
}
