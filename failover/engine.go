package failover

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Engine holds the services and their state. It is safe for concurrent
// use: the loop applies rounds while an operator pins and status reads.
type Engine struct {
	mu       sync.Mutex
	services []Service
	state    State
	now      func() time.Time
	pending  Outcome           // made since the last Apply or Pending
	counts   map[EventKind]int // events since NewEngine
	// drillEnds is how each service's last drill pin ended, for EndDrill.
	drillEnds map[string]DrillEnd
}

// Option configures an Engine.
type Option func(*Engine)

// WithClock sets the clock used by Pin and Unpin and for rounds without a
// time; the default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(e *Engine) { e.now = now }
}

// NewEngine starts from a saved state (nil for none). Entries for services
// or targets no longer configured are dropped; new ones start up, and a
// service whose remembered active target is gone starts on its first
// target. A pin on a target that is gone is dropped.
func NewEngine(services []Service, saved State, opts ...Option) *Engine {
	e := &Engine{services: services, state: State{}, now: time.Now, counts: map[EventKind]int{}, drillEnds: map[string]DrillEnd{}}
	for _, o := range opts {
		o(e)
	}
	for _, svc := range services {
		e.state[svc.Name] = restore(svc, saved[svc.Name])
	}
	return e
}

// restore builds a service's state from what was saved, if anything.
func restore(svc Service, old *ServiceState) *ServiceState {
	st := &ServiceState{Targets: map[string]*TargetState{}}
	if old != nil {
		st = old.clone()
		st.Targets = map[string]*TargetState{}
	}
	for _, t := range svc.Targets {
		if old != nil && old.Targets[t] != nil {
			ts := *old.Targets[t]
			st.Targets[t] = &ts
		} else {
			st.Targets[t] = &TargetState{Up: true}
		}
	}
	if svc.rank(st.Active) < 0 {
		st.Active = ""
		if len(svc.Targets) > 0 {
			st.Active = svc.Targets[0]
		}
	}
	if st.Pin != nil {
		if svc.rank(st.Pin.Target) < 0 {
			st.Pin = nil
		} else {
			st.Active, st.ServeAll = st.Pin.Target, false
		}
	}
	restoreMembers(svc, st)
	return st
}

// restoreMembers keeps a pool's remembered members that are still
// configured. A pool that remembers none (new, or a failover service
// before) starts with the targets that are up, or its active one.
func restoreMembers(svc Service, st *ServiceState) {
	if !svc.pool() || st.Pin != nil || st.ServeAll {
		st.Members = nil
		return
	}
	var ms []string
	for _, t := range svc.Targets {
		if slices.Contains(st.Members, t) {
			ms = append(ms, t)
		}
	}
	if len(ms) == 0 {
		for _, t := range svc.Targets {
			if st.Targets[t].Up {
				ms = append(ms, t)
			}
		}
	}
	if len(ms) == 0 {
		ms = []string{st.Active}
	}
	st.Members, st.Active = ms, ms[0]
}

// State returns a deep copy of the current state, ready to persist.
func (e *Engine) State() State {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := State{}
	for name, st := range e.state {
		out[name] = st.clone()
	}
	return out
}

// Active returns the active target of each service. Under the all-down
// policy "all" it is the last target served alone; ActiveTargets tells the
// whole truth.
func (e *Engine) Active() map[string]string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]string{}
	for name, st := range e.state {
		out[name] = st.Active
	}
	return out
}

// ActiveTargets returns the targets each service serves, in config order:
// one name, a pool's members, or every name while the all-down policy
// "all" is in force.
func (e *Engine) ActiveTargets() map[string][]string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string][]string{}
	for i := range e.services {
		svc := &e.services[i]
		out[svc.Name] = serving(svc, e.state[svc.Name])
	}
	return out
}

// serving is what a service serves in its current state.
func serving(svc *Service, st *ServiceState) []string {
	switch {
	case st.ServeAll:
		return slices.Clone(svc.Targets)
	case len(st.Members) > 0:
		return slices.Clone(st.Members)
	}
	return []string{st.Active}
}

// Counts returns how many events of each kind were made since NewEngine.
func (e *Engine) Counts() map[EventKind]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[EventKind]int, len(e.counts))
	for k, n := range e.counts {
		out[k] = n
	}
	return out
}

// Pending returns, and forgets, what Pin, Unpin and any other call made
// outside Apply produced. Apply returns it too, first.
func (e *Engine) Pending() Outcome {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.take()
}

func (e *Engine) take() Outcome {
	out := e.pending
	e.pending = Outcome{}
	return out
}

func (e *Engine) emit(ev Event) {
	e.counts[ev.Kind]++
	e.pending.Events = append(e.pending.Events, ev)
}

func (e *Engine) service(name string) *Service {
	for i := range e.services {
		if e.services[i].Name == name {
			return &e.services[i]
		}
	}
	return nil
}

// progress sums up, for service, what a kill must not lose of its
// targets: each one's state and its count toward changing it (failures of
// one that is up, successes of one that is down). A round that agrees
// with every state changes none of it.
func (e *Engine) progress(service string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.state[service]
	if st == nil {
		return ""
	}
	var b strings.Builder
	for _, t := range slices.Sorted(maps.Keys(st.Targets)) {
		ts := st.Targets[t]
		toward := ts.Successes
		if ts.Up {
			toward = ts.Failures
		}
		fmt.Fprintf(&b, "%s:%v:%d ", t, ts.Up, toward)
	}
	return b.String()
}

// unconfirmed returns the service's targets whose last counted result
// disagrees with their state, for the loop's confirmation probes.
func (e *Engine) unconfirmed(service string) map[string]bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]bool{}
	if st := e.state[service]; st != nil {
		for t, ts := range st.Targets {
			if ts.unconfirmed() {
				out[t] = true
			}
		}
	}
	return out
}
