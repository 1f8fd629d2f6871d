package main

import "time"

// auditDrift is a drift line of audit.log: a provider's record found not
// holding what was published, and what became of it.
type auditDrift struct {
	Provider string   `json:"provider"`
	Zone     string   `json:"zone"`
	Record   string   `json:"record"` // "www.example.com. A"
	Service  string   `json:"service"`
	Want     []string `json:"want"`
	Live     []string `json:"live"`               // what the provider held when it was read
	OnDrift  string   `json:"on_drift,omitempty"` // the policy; empty for "over"
	// Outcome is "put_back", "reported" (on_drift: report),
	// "put_back_failed" (Error says why) or "over" (the record holds
	// what was published again).
	Outcome string    `json:"outcome"`
	Error   string    `json:"error,omitempty"`
	Text    string    `json:"text"` // all of it in one line, for people
	At      time.Time `json:"at"`
}

// drift appends a drift line. A write failure is logged, never allowed
// to stop a publish.
func (a *auditLog) drift(ev driftEvent) {
	l := auditDrift{Provider: ev.Provider, Zone: ev.Zone, Record: ev.record(), Service: ev.Record.Service,
		Want: addrTexts(ev.Want), Live: ev.Live, OnDrift: ev.Policy, Outcome: ev.outcome(), Error: ev.FixError,
		Text: ev.record() + " " + ev.reason(), At: ev.At}
	if l.Live == nil {
		l.Live = []string{}
	}
	if err := a.append([]auditLine{{Type: "drift", Drift: &l}}); err != nil {
		a.log.Error("audit log write failed", "path", a.path, "err", err)
	}
}
