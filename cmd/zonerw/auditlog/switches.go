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
	path := Path(stateDir)
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string][]time.Time{}
	scan := &Scan{Path: path, Filter: Filter{Since: since}, Stderr: io.Discard}
	err = scan.Run(context.Background(), f, func(e Line, _ []byte) error {
		if ev := e.Event; ev != nil && (ev.Kind == failover.EventUnpinned || ev.Kind == failover.EventFlapReleased) {
			delete(out, ev.Service) // the engine forgets its switches then
		}
		if d := e.Decision; d != nil {
			switch d.Kind {
			case failover.DecisionTargetDown, failover.DecisionFailback, failover.DecisionAllDown:
				out[d.Service] = append(out[d.Service], d.At)
			}
		}
		return nil
	})
	return out, err
}

// Pins reads the operator pins the audit log of stateDir records that
// still hold at now: per service, the last pin with no unpin, expiry or
// drill after it. A state file rebuilt after damage gets them back from
// here. A missing log has none; damaged lines are skipped.
func Pins(stateDir string, now time.Time) (map[string]*failover.Pin, error) {
	path := Path(stateDir)
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]*failover.Pin{}
	scan := &Scan{Path: path, Stderr: io.Discard}
	err = scan.Run(context.Background(), f, func(e Line, _ []byte) error {
		ev := e.Event
		if ev == nil {
			return nil
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
		return nil
	})
	for svc, p := range out {
		if !p.Until.IsZero() && !p.Until.After(now) {
			delete(out, svc)
		}
	}
	return out, err
}
