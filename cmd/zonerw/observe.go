package main

import (
	"github.com/zonerw/zonerw/cmd/zonerw/observe"
	"github.com/zonerw/zonerw/failover"
)

// observeSources is the daemon as the observer reads it.
func (d *daemon) observeSources() observe.Sources {
	s := observe.Sources{Status: d.status}
	if d.srv != nil {
		s.Secondaries, s.DNS = d.srv.SecondaryStatus, d.srv.Stats
	}
	return s
}

// recorders hands each outcome to several recorders in turn: the audit
// log, then the observer.
type recorders []failover.Recorder

// Record implements failover.Recorder.
func (rs recorders) Record(out failover.Outcome) {
	for _, r := range rs {
		r.Record(out)
	}
}

var _ failover.Recorder = recorders(nil)

// watchProviders makes the daemon's observer and audit log hear of each
// publish, read-back and drift of ps's providers.
func (d *daemon) watchProviders(ps *providerSet) {
	ps.observe = d.obs.ProviderPublished
	ps.drift = observe.DriftRecorder{Audit: d.audit, Send: d.obs.Send, Clear: d.obs.Recovered}.Record
}
