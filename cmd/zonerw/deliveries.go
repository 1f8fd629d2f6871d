package main

import (
	"time"

	"github.com/zonerw/zonerw/dnsserver"
	"github.com/zonerw/zonerw/zones/publish"
)

// deliveries tells the observer how each destination's attempts went: a
// metric per destination, and an alert naming it when one starts failing.
type deliveries struct{ o *observer }

var _ publish.Observer = deliveries{}

func (d deliveries) Delivered(dest string, err error) { d.o.delivered(dest, err) }

// destinationView is one destination in `zonerw status`.
type destinationView struct {
	Name        string    `json:"name"`
	Holds       string    `json:"holds,omitempty"`
	Pending     bool      `json:"pending"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	Failures    int       `json:"failures,omitempty"`
	RetryAt     time.Time `json:"retry_at,omitzero"`
}

func destinationViews(ds []publish.DestinationStatus) []destinationView {
	var out []destinationView
	for _, d := range ds {
		out = append(out, destinationView{Name: d.Name, Holds: d.Holds, Pending: d.Pending, LastSuccess: d.LastSuccess,
			LastError: d.LastError, LastErrorAt: d.LastErrorAt, Failures: d.Failures, RetryAt: d.RetryAt})
	}
	return out
}

func secondaryViews(secs []dnsserver.SecondaryState) []secondaryStatus {
	var out []secondaryStatus
	for _, s := range secs {
		out = append(out, secondaryStatus{
			Address: s.Addr.String(), Serial: s.Serial, Target: s.Target, Acked: s.Acked,
			CatchUp: s.CatchUp.String(), LastError: s.LastError, Notified: s.Notified,
		})
	}
	return out
}
