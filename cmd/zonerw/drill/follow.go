package drill

import (
	"context"
	"fmt"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/view"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/publish"
)

// followPoll is how often a drill looks at the destinations' status while
// it waits for them to follow. It reads in-memory status only.
const followPoll = 20 * time.Millisecond

// dest is one destination a drill watches follow a publish.
type dest struct {
	name string
	// state reports whether the destination holds the change now and
	// since when, or what keeps it from it.
	state func() (at time.Time, done bool, problem string)
}

// dests lists what must follow a publish made at since: for each zone
// the publish changed, the zone's destinations (the embedded nameserver,
// the output file) at its new serial and every secondary (its reported
// serial; the time is when it reported it, from the nameserver's
// SecondaryStatus, CatchUp included); and each provider that carries the
// service (a delivery after since). A zone whose next version could not
// be made is listed with why.
func (r *Runner) dests(service string, changes []publish.Change, since time.Time) []dest {
	var out []dest
	for _, c := range changes {
		switch {
		case c.Err != nil:
			err := c.Err.Error()
			out = append(out, dest{name: "zone " + c.Zone, state: func() (time.Time, bool, string) { return time.Time{}, false, err }})
		case c.Changed:
			out = append(out, r.zoneDests(c.Zone, c.Serial)...)
		}
	}
	return append(out, r.providerDests(service, since)...)
}

// zoneDests are a zone's destinations and secondaries, which must reach
// serial.
func (r *Runner) zoneDests(zone string, serial uint32) []dest {
	var out []dest
	zs, _ := r.d.Status()
	for _, z := range zs {
		if z.Name != zone {
			continue
		}
		for _, ds := range z.Destinations {
			out = append(out, dest{name: ds.Name, state: func() (time.Time, bool, string) {
				return destinationAt(r.zoneDestination(zone, ds.Name), serial)
			}})
		}
	}
	if r.d.Secondaries == nil {
		return out
	}
	for _, sec := range r.d.Secondaries(zone) {
		addr := sec.Addr
		out = append(out, dest{name: fmt.Sprintf("secondary %s (%s)", addr, zone), state: func() (time.Time, bool, string) {
			for _, s := range r.d.Secondaries(zone) {
				if s.Addr != addr {
					continue
				}
				switch {
				case s.Target == serial && s.Serial == serial && s.CatchUp > 0:
					return s.Notified.Add(s.CatchUp), true, ""
				case s.Serial == serial || zones.SerialLess(serial, s.Serial):
					return s.Seen, true, ""
				case s.LastError != "":
					return time.Time{}, false, fmt.Sprintf("at serial %d: %s", s.Serial, s.LastError)
				}
				return time.Time{}, false, fmt.Sprintf("at serial %d, want %d", s.Serial, serial)
			}
			return time.Time{}, false, "no longer a secondary of " + zone
		}})
	}
	return out
}

// zoneDestination is the named destination's status now.
func (r *Runner) zoneDestination(zone, name string) *publish.DestinationStatus {
	zs, _ := r.d.Status()
	for _, z := range zs {
		if z.Name != zone {
			continue
		}
		for _, ds := range z.Destinations {
			if ds.Name == name {
				return &ds
			}
		}
	}
	return nil
}

// destinationAt says whether a zone destination holds serial.
func destinationAt(ds *publish.DestinationStatus, serial uint32) (time.Time, bool, string) {
	if ds == nil {
		return time.Time{}, false, "gone"
	}
	var held uint32
	fmt.Sscanf(ds.Holds, "serial %d", &held)
	switch {
	case held == serial || held != 0 && zones.SerialLess(serial, held):
		return ds.LastSuccess, true, ""
	case ds.LastError != "":
		return time.Time{}, false, ds.LastError
	}
	return time.Time{}, false, fmt.Sprintf("holds %s, want serial %d", view.Dash(ds.Holds), serial)
}

// providerDests are the providers with a record of service; each must
// take a delivery after since.
func (r *Runner) providerDests(service string, since time.Time) []dest {
	var out []dest
	for _, name := range r.d.ProviderDests(service) {
		out = append(out, dest{name: name, state: func() (time.Time, bool, string) {
			_, vs := r.d.Status()
			for _, ds := range vs {
				if ds.Name != name {
					continue
				}
				switch {
				case !ds.Pending && !ds.LastSuccess.Before(since):
					return ds.LastSuccess, true, ""
				case ds.LastError != "":
					return time.Time{}, false, ds.LastError
				}
				return time.Time{}, false, "not delivered yet"
			}
			return time.Time{}, false, "no such destination (the provider is left out until a reload)"
		}})
	}
	return out
}

// followed is how one destination followed: after how long, or why not.
type followed struct {
	took    time.Duration
	problem string
}

// waitFollow watches the destinations until each holds the change, the
// deadline passes or ctx is done, and says how long each took from since.
func waitFollow(ctx context.Context, dests []dest, since, deadline time.Time) []followed {
	out := make([]followed, len(dests))
	done := make([]bool, len(dests))
	left := len(dests)
	t := time.NewTicker(followPoll)
	defer t.Stop()
	for {
		for i, dd := range dests {
			if done[i] {
				continue
			}
			at, ok, problem := dd.state()
			if ok {
				done[i], out[i] = true, followed{took: max(at.Sub(since), time.Microsecond)}
				left--
				continue
			}
			out[i].problem = problem
		}
		if left == 0 {
			return out
		}
		why := ""
		select {
		case <-ctx.Done():
			why = "not followed when zonerw serve stopped"
		case <-t.C:
			if time.Now().After(deadline) {
				why = fmt.Sprintf("did not follow within %s", deadline.Sub(since).Round(time.Millisecond))
			}
		}
		if why == "" {
			continue
		}
		for i := range out {
			if !done[i] {
				out[i].problem = why + ": " + out[i].problem
			}
		}
		return out
	}
}
