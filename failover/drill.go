package failover

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// A failover drill moves a service to its next target for a while, as a
// real failover would, so that an operator learns whether the backup and
// every destination work before the day they are needed. The engine holds
// the service there with a drill pin, counts the target's probes, and
// ends the drill early when a real failure comes (the drill target or the
// one it left goes down); the caller (the daemon) publishes, measures how
// long each destination takes to follow, ends the drill and files the
// report.

// DrillResult says how a drill went.
type DrillResult string

// The results of a drill.
const (
	// DrillPassed: the target answered every probe during the drill and
	// every destination followed there and back.
	DrillPassed DrillResult = "passed"
	// DrillFailed: a probe of the target failed, none ran, or a
	// destination did not follow.
	DrillFailed DrillResult = "failed"
	// DrillAborted: a real failure, an operator or a shutdown ended the
	// drill early.
	DrillAborted DrillResult = "aborted"
)

// DrillReport is what a drill found.
type DrillReport struct {
	Service string        `json:"service"`
	From    string        `json:"from"`   // the target the drill moved away from
	Target  string        `json:"target"` // the target it moved to
	Start   time.Time     `json:"start"`
	End     time.Time     `json:"end,omitzero"` // when the service was handed back
	For     time.Duration `json:"for_ns"`
	Result  DrillResult   `json:"result"`
	Reason  string        `json:"reason"`
	// Probes counts the probes of Target during the drill, ProbesFailed
	// those that failed.
	Probes       int           `json:"probes"`
	ProbesFailed int           `json:"probes_failed,omitempty"`
	Follow       []DrillFollow `json:"follow,omitempty"`
}

// DrillFollow is how one destination (a secondary, a provider, a zone
// file) followed a drill.
type DrillFollow struct {
	Destination string `json:"destination"`
	// There is the time from the drill's start until the destination
	// served Target, Back from the drill's end until it served From
	// again; zero while it did not.
	There time.Duration `json:"there_ns,omitempty"`
	Back  time.Duration `json:"back_ns,omitempty"`
	Error string        `json:"error,omitempty"`
}

func (r *DrillReport) clone() *DrillReport {
	c := *r
	c.Follow = slices.Clone(r.Follow)
	return &c
}

// DrillEnd is how a drill's pin ended.
type DrillEnd struct {
	Pin     Pin       `json:"pin"` // the drill's pin, with its probe counts
	At      time.Time `json:"at"`
	Why     string    `json:"why"`
	Aborted bool      `json:"aborted"` // ended early by a real failure or an operator
}

// ErrNoDrill is returned by StartDrill when a drill cannot run now.
var ErrNoDrill = errors.New("no drill")

// StartDrill pins the service to its next target (the first in config
// order other than the active one) for dur, as a drill, and returns the
// pin. It refuses, wrapping ErrNoDrill, unless the service is in
// failover mode, neither pinned nor held nor cut off, and both its active
// and its next target are up. The switch is in the next Pending.
func (e *Engine) StartDrill(service string, dur time.Duration) (Pin, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	svc := e.service(service)
	if svc == nil {
		return Pin{}, fmt.Errorf("drill %s: no such service", service)
	}
	now := e.now()
	st := e.state[service]
	next, err := drillTarget(svc, st)
	if err != nil {
		return Pin{}, fmt.Errorf("drill %s: %w: %w", service, ErrNoDrill, err)
	}
	if dur <= 0 {
		return Pin{}, fmt.Errorf("drill %s: its duration %s is not positive", service, dur)
	}
	until := now.Add(dur)
	p := &Pin{Target: next, Since: now, Until: until, Reason: "failover drill", Drill: true, From: st.Active}
	st.Pin = p
	why := fmt.Sprintf("failover drill: %s moved from %s to %s until %s", service, p.From, next, until.Format(time.RFC3339))
	e.emit(Event{Kind: EventDrillStarted, Service: service, Target: next, Reason: why, At: now})
	e.switchTo(svc, st, choice{active: next, kind: DecisionDrill, reason: why}, now, nil)
	return *p, nil
}

// drillTarget is the target a drill would move the service to, or why
// none can run now.
func drillTarget(svc *Service, st *ServiceState) (string, error) {
	switch {
	case svc.pool():
		return "", errors.New("a pool has no next target; drills are for mode failover")
	case len(svc.Targets) < 2:
		return "", errors.New("it has only one target")
	case st.Pin != nil && st.Pin.Drill:
		return "", fmt.Errorf("a drill on %s runs already (since %s)", st.Pin.Target, st.Pin.Since.Format(time.RFC3339))
	case st.Pin != nil:
		return "", fmt.Errorf("it is pinned to %s", st.Pin.Target)
	case st.Hold != nil:
		return "", errors.New("the flap governor holds it")
	case !st.IsolatedSince.IsZero():
		return "", errors.New("the checker looks cut off (every witness fails)")
	case st.ServeAll || !st.Targets[st.Active].Up:
		return "", fmt.Errorf("its active target %s is down: a real failover comes first", st.Active)
	}
	next := svc.Targets[0]
	if next == st.Active {
		next = svc.Targets[1]
	}
	if !st.Targets[next].Up {
		return "", fmt.Errorf("its next target %s is down (%s)", next, st.Targets[next].LastReason)
	}
	return next, nil
}

// Drill returns the drill pin that holds the service, if one does.
func (e *Engine) Drill(service string) (Pin, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.state[service]
	if st == nil || st.Pin == nil || !st.Pin.Drill {
		return Pin{}, false
	}
	return *st.Pin, true
}

// EndDrill ends the drill pin set at since, if it still holds, and lets
// the rules decide at once (the switch is in the next Pending). It
// returns how the drill ended, whether now or earlier (a real failure, an
// operator); false when the engine knows no such drill.
func (e *Engine) EndDrill(service string, since time.Time) (DrillEnd, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	svc, st := e.service(service), e.state[service]
	if svc == nil {
		return DrillEnd{}, false
	}
	if p := st.Pin; p != nil && p.Drill && p.Since.Equal(since) {
		now := e.now()
		why := fmt.Sprintf("drill on %s ended after %s", p.Target, now.Sub(p.Since).Round(time.Millisecond))
		e.endDrill(svc, st, now, why, false)
		e.resume(svc, st, now, DecisionDrillEnd, why)
	}
	end, ok := e.drillEnds[service]
	if !ok || !end.Pin.Since.Equal(since) {
		return DrillEnd{}, false
	}
	return end, true
}

// FinishDrill files a drill's report: it becomes the service's LastDrill
// and an EventDrillFinished.
func (e *Engine) FinishDrill(r DrillReport) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.state[r.Service]
	if st == nil {
		return
	}
	st.LastDrill = r.clone()
	e.emit(Event{Kind: EventDrillFinished, Service: r.Service, Target: r.Target, Reason: r.Reason, At: r.End, Drill: r.clone()})
}

// endDrill removes the service's drill pin and remembers how it ended,
// for EndDrill. An early end is an EventDrillAborted.
func (e *Engine) endDrill(svc *Service, st *ServiceState, now time.Time, why string, aborted bool) {
	p := *st.Pin
	st.Pin = nil
	e.drillEnds[svc.Name] = DrillEnd{Pin: p, At: now, Why: why, Aborted: aborted}
	if aborted {
		e.emit(Event{Kind: EventDrillAborted, Service: svc.Name, Target: p.Target, Reason: why, At: now})
	}
}

// drillFailure is why a real failure ends the service's drill now: the
// drill target or the one it left went down. Empty while neither did, and
// for a service no drill holds.
func drillFailure(st *ServiceState) string {
	p := st.Pin
	if p == nil || !p.Drill {
		return ""
	}
	for _, t := range []string{p.Target, p.From} {
		if ts := st.Targets[t]; ts != nil && !ts.Up {
			return fmt.Sprintf("drill on %s ended early: %s went down (%s); a real failure wins over the drill", p.Target, t, ts.LastReason)
		}
	}
	return ""
}

// countDrillProbe counts a probe of the drill target.
func countDrillProbe(st *ServiceState, o Observation) {
	if p := st.Pin; p != nil && p.Drill && o.Target == p.Target {
		p.Probes++
		if !o.OK {
			p.ProbesFailed++
		}
	}
}
