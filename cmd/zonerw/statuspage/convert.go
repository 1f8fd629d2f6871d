package statuspage

import (
	"fmt"
	"time"

	"github.com/zonerw/zonerw/dnsserver"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones/provider"
)

// ServicesFrom lists the services of order (the configured ones, targets
// in priority order) with their state from st. A service st does not know
// yet is listed with no targets.
func ServicesFrom(order []failover.Service, st failover.State) []Service {
	var out []Service
	for _, svc := range order {
		s := Service{Name: svc.Name}
		ss := st[svc.Name]
		if ss == nil {
			out = append(out, s)
			continue
		}
		s.Active, s.ServeAll, s.Since, s.Why = ss.Active, ss.ServeAll, ss.ActiveSince, ss.Reason
		s.Members = ss.Members
		if r := ss.LastDrill; r != nil {
			s.Drill = fmt.Sprintf("%s %s (%s to %s): %s", r.Start.Format(time.RFC3339), r.Result, r.From, r.Target, r.Reason)
		}
		if ss.Pin != nil && ss.Pin.Drill {
			s.Pin = "by a failover drill (from " + ss.Pin.From + ") on " + ss.Pin.Target + " until " + ss.Pin.Until.Format(time.RFC3339)
		} else if ss.Pin != nil {
			s.Pin = "on " + ss.Pin.Target
			if !ss.Pin.Until.IsZero() {
				s.Pin += " until " + ss.Pin.Until.Format(time.RFC3339)
			}
			if ss.Pin.Reason != "" {
				s.Pin += ": " + ss.Pin.Reason
			}
		}
		if ss.Hold != nil {
			s.Hold = ss.Hold.Reason
		}
		for _, name := range svc.Targets {
			ts := ss.Targets[name]
			if ts == nil {
				continue
			}
			s.Targets = append(s.Targets, Target{Name: name, Up: ts.Up, Active: ss.Serves(name),
				LastReason: ts.LastReason, LastProbe: ts.LastProbe})
		}
		out = append(out, s)
	}
	return out
}

// SecondariesFrom turns the nameserver's view of a zone's secondaries
// into the page's, with how long each has been behind at now.
func SecondariesFrom(secs []dnsserver.SecondaryState, now time.Time) []Secondary {
	var out []Secondary
	for _, s := range secs {
		var behind time.Duration
		if s.Target != 0 && s.Serial != s.Target && !s.Notified.IsZero() && now.After(s.Notified) {
			behind = now.Sub(s.Notified)
		}
		out = append(out, Secondary{Address: s.Addr.String(), Serial: s.Serial, Target: s.Target,
			Acked: s.Acked, Behind: behind, LastError: s.LastError})
	}
	return out
}

// ProvidersFrom turns the publishers' status into the page's.
func ProvidersFrom(ps []provider.Status) []Provider {
	var out []Provider
	for _, p := range ps {
		v := Provider{Name: p.Name, Kind: string(p.Kind), Zone: p.Zone, LastSuccess: p.LastSuccess,
			LastError: p.LastError, Records: len(p.Records)}
		for _, r := range p.Records {
			if r.InSync() {
				v.InSync++
			}
			if r.Drift != "" {
				v.Drift = append(v.Drift, Drift{Since: r.DriftSince, Text: r.Drift})
			}
		}
		out = append(out, v)
	}
	return out
}
