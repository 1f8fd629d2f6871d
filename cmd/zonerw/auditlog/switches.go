package auditlog

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/zonerw/zonerw/failover"
)

// Switches reads the automatic switches (a target down, a failback, all
// down) the audit log of stateDir records since the given time, per
// service, after the service's last unpin or flap release (which clear
// the governor's memory). A missing log has none; damaged lines are
// skipped, as zonerw log does.
func Switches(stateDir string, since time.Time) (map[string][]time.Time, error) {
	out := map[string][]time.Time{}
	found, err := each(stateDir, Filter{Since: since}, func(e Line) {
		if ev := e.Event; ev != nil && (ev.Kind == failover.EventUnpinned || ev.Kind == failover.EventFlapReleased) {
			delete(out, ev.Service) // the engine forgets its switches then
		}
		if d := e.Decision; d != nil {
			switch d.Kind {
			case failover.DecisionTargetDown, failover.DecisionFailback, failover.DecisionAllDown:
				out[d.Service] = append(out[d.Service], d.At)
			}
		}
	})
	if !found {
		return nil, err
	}
	return out, err
}

// each calls fn with every line of stateDir's audit log that filter
// takes, skipping damaged lines as zonerw log does; found is false when
// there is no log.
func each(stateDir string, filter Filter, fn func(Line)) (found bool, err error) {
	path := Path(stateDir)
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	scan := &Scan{Path: path, Filter: filter, Stderr: io.Discard}
	return true, scan.Run(context.Background(), f, func(e Line, _ []byte) error {
		fn(e)
		return nil
	})
}

// Pins reads the operator pins the audit log of stateDir records that
// still hold at now: per service, the last pin with no unpin, expiry or
// drill after it. A state file rebuilt after damage gets them back from
// here. A missing log has none; damaged lines are skipped.
func Pins(stateDir string, now time.Time) (map[string]*failover.Pin, error) {
	out := map[string]*failover.Pin{}
	_, err := each(stateDir, Filter{}, func(e Line) {
		ev := e.Event
		if ev == nil {
			return
		}
		switch ev.Kind {
		case failover.EventPinned:
			if ev.Pin != nil {
				pin := *ev.Pin
				out[ev.Service] = &pin
			}
		case failover.EventUnpinned, failover.EventPinExpired, failover.EventDrillStarted:
			delete(out, ev.Service)
		}
	})
	for svc, p := range out {
		if !p.Until.IsZero() && !p.Until.After(now) {
			delete(out, svc)
		}
	}
	return out, err
}
