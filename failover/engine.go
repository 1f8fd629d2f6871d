package failover

import (
	"fmt"
	"time"
)

// Service is one service as the engine sees it.
type Service struct {
	Name    string
	Targets []string // target names, highest priority first
	Rise    int      // consecutive successes before a down target counts as up
	Fall    int      // consecutive failures before an up target counts as down
}

// Observation is one probe result for one target.
type Observation struct {
	Service, Target string
	OK              bool
	Reason          string
	At              time.Time
}

// Decision records a change of a service's active target.
type Decision struct {
	Service string    `json:"service"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Reason  string    `json:"reason"`
	At      time.Time `json:"at"`
}

func (d Decision) String() string {
	return fmt.Sprintf("%s: %s -> %s (%s)", d.Service, d.From, d.To, d.Reason)
}

// Engine holds the services and their state. It is not safe for
// concurrent use; the caller serialises observations.
type Engine struct {
	services []Service
	state    State
}

// NewEngine starts from a saved state (nil for none). Entries for services
// or targets no longer configured are dropped; new ones start up, and a
// service whose remembered active target is gone starts on its first target.
func NewEngine(services []Service, saved State) *Engine {
	e := &Engine{services: services, state: State{}}
	for _, svc := range services {
		old := saved[svc.Name]
		st := &ServiceState{Targets: map[string]*TargetState{}}
		for _, t := range svc.Targets {
			if old != nil && old.Targets[t] != nil {
				ts := *old.Targets[t]
				st.Targets[t] = &ts
			} else {
				st.Targets[t] = &TargetState{Up: true}
			}
			if old != nil && old.Active == t {
				st.Active = t
			}
		}
		if st.Active == "" && len(svc.Targets) > 0 {
			st.Active = svc.Targets[0]
		}
		e.state[svc.Name] = st
	}
	return e
}

// State returns a deep copy of the current state, ready to persist.
func (e *Engine) State() State {
	out := State{}
	for name, st := range e.state {
		c := &ServiceState{Active: st.Active, Targets: map[string]*TargetState{}}
		for t, ts := range st.Targets {
			v := *ts
			c.Targets[t] = &v
		}
		out[name] = c
	}
	return out
}

// Active returns the active target of each service.
func (e *Engine) Active() map[string]string {
	out := map[string]string{}
	for name, st := range e.state {
		out[name] = st.Active
	}
	return out
}

// Observe applies a batch of results (one cron run, or one scheduled round)
// and returns a decision for every service whose active target changed.
// Results for unknown services or targets are ignored.
func (e *Engine) Observe(obs []Observation) []Decision {
	touched := map[string]bool{}
	for _, o := range obs {
		st := e.state[o.Service]
		if st == nil || st.Targets[o.Target] == nil {
			continue
		}
		svc := e.service(o.Service)
		st.Targets[o.Target].observe(o.OK, o.Reason, o.At, svc.Rise, svc.Fall)
		touched[o.Service] = true
	}
	var out []Decision
	for _, svc := range e.services {
		if !touched[svc.Name] {
			continue
		}
		if d, ok := e.decide(svc); ok {
			out = append(out, d)
		}
	}
	return out
}

func (e *Engine) service(name string) Service {
	for _, s := range e.services {
		if s.Name == name {
			return s
		}
	}
	return Service{}
}
