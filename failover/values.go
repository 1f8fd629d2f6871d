package failover

import (
	"fmt"
	"strings"
	"time"
)

// Observation is one probe result for one target (or one witness, whose
// Service is empty).
type Observation struct {
	Service string        `json:"service,omitempty"`
	Target  string        `json:"target"`
	OK      bool          `json:"ok"`
	Reason  string        `json:"reason"`
	Latency time.Duration `json:"latency_ns,omitempty"`
	At      time.Time     `json:"at"`
}

// Round is one batch of results handed to Apply: one cron run, or one
// scheduled round of a service.
type Round struct {
	// At is the round's time, used for failback delay, the flap governor
	// and pin expiry. Zero means the newest At among the observations, or
	// the engine's clock when there are none.
	At           time.Time
	Observations []Observation
	// Witnesses are checks of hosts the checker must be able to reach.
	// When some were made and all of them failed, the checker is taken to
	// be cut off: failed observations in this round are not counted.
	Witnesses []Observation
}

// Decision records a change of what a service serves.
type Decision struct {
	Service string `json:"service"`
	From    string `json:"from"`
	To      string `json:"to"` // the new Active target
	// Serving is the new ActiveTargets entry: To alone, or every target
	// under the all-down policy "all".
	Serving []string `json:"serving"`
	// Kind says why in one word, for metrics and alert routing; Reason
	// says it for people.
	Kind   DecisionKind `json:"kind"`
	Reason string       `json:"reason"`
	At     time.Time    `json:"at"`
	// Cause holds the service's probe results in the round that led to
	// the decision; empty for operator actions.
	Cause []Observation `json:"cause,omitempty"`
	// Pool is set for a service in pool mode; Joined and Left then name
	// the targets that came into and went out of Serving.
	Pool   bool     `json:"pool,omitempty"`
	Joined []string `json:"joined,omitempty"`
	Left   []string `json:"left,omitempty"`
}

func (d Decision) String() string {
	if d.Pool {
		return fmt.Sprintf("%s: pool serves %s (%s)", d.Service, strings.Join(d.Serving, ","), d.Reason)
	}
	to := d.To
	if len(d.Serving) > 1 {
		to = "all of " + strings.Join(d.Serving, ",")
	}
	return fmt.Sprintf("%s: %s -> %s (%s)", d.Service, d.From, to, d.Reason)
}

// DecisionKind sorts decisions by why the service moved. It has few
// values, so it can label a metric.
type DecisionKind string

// The kinds of Decision.
const (
	// DecisionTargetDown: the active target went down; the service moved to
	// the first target that is up.
	DecisionTargetDown DecisionKind = "target_down"
	// DecisionFailback: a higher-priority target is up (again, and for the
	// failback delay) and the service moved back to it.
	DecisionFailback DecisionKind = "failback"
	// DecisionAllDown: every target is down and the all-down policy moved
	// the service (to its first target, or to every target).
	DecisionAllDown DecisionKind = "all_down"
	// DecisionPin: an operator pinned the service to a target.
	DecisionPin DecisionKind = "pin"
	// DecisionUnpin: an operator removed a pin or a flap hold and the rules
	// moved the service.
	DecisionUnpin DecisionKind = "unpin"
	// DecisionPinExpired: a pin reached its end and the rules moved the
	// service.
	DecisionPinExpired DecisionKind = "pin_expired"
	// DecisionMemberDown: a pool lost a member (it went down).
	DecisionMemberDown DecisionKind = "member_down"
	// DecisionMemberUp: a pool gained a member (it came up), and lost none.
	DecisionMemberUp DecisionKind = "member_up"
	// DecisionDrill: a failover drill moved the service to its next
	// target; DecisionDrillEnd: the drill ended and the rules moved it.
	DecisionDrill    DecisionKind = "drill"
	DecisionDrillEnd DecisionKind = "drill_end"
)

// EventKind names an event that is not a switch.
type EventKind string

// The kinds of Event.
const (
	// EventFlapHeld: the flap governor refused a switch and holds the
	// service on its current target.
	EventFlapHeld EventKind = "flap_held"
	// EventFlapReleased: a hold ended on its own (FlapReleaseAuto).
	EventFlapReleased EventKind = "flap_released"
	// EventIsolated: targets looked down but every witness failed too;
	// the failures are not counted until the checker is connected again.
	// It comes once, when such a spell begins.
	EventIsolated EventKind = "isolated"
	// EventIsolationEnded: the first round after such a spell that counted
	// its results.
	EventIsolationEnded EventKind = "isolation_ended"
	// EventAllDown: every target of the service went down.
	EventAllDown EventKind = "all_down"
	// EventPinned and EventUnpinned: an operator pinned or unpinned.
	EventPinned   EventKind = "pinned"
	EventUnpinned EventKind = "unpinned"
	// EventPinExpired: a pin reached its end time.
	EventPinExpired EventKind = "pin_expired"
	// EventDrillStarted: a failover drill moved the service to its next
	// target. EventDrillAborted: a real failure (or an operator) ended it
	// early. EventDrillFinished: its report is in (Drill); it passed when
	// Drill.Result is DrillPassed.
	EventDrillStarted  EventKind = "drill_started"
	EventDrillAborted  EventKind = "drill_aborted"
	EventDrillFinished EventKind = "drill_finished"
	// EventDrillSkipped: a scheduled drill did not run (its next target
	// was down, the service pinned, ...); the caller makes it from
	// StartDrill's error.
	EventDrillSkipped EventKind = "drill_skipped"
)

// Event is something worth an alert, a metric or an audit line that is not
// itself a switch.
type Event struct {
	Kind    EventKind     `json:"kind"`
	Service string        `json:"service"`
	Target  string        `json:"target,omitempty"` // the target it concerns, if one
	Reason  string        `json:"reason"`
	At      time.Time     `json:"at"`
	Cause   []Observation `json:"cause,omitempty"`
	// Drill is the report of an EventDrillFinished.
	Drill *DrillReport `json:"drill,omitempty"`
	// Pin is the pin an EventPinned made, so that a state file rebuilt
	// from the audit log gets it back.
	Pin *Pin `json:"pin,omitempty"`
}

func (e Event) String() string {
	return fmt.Sprintf("%s: %s (%s)", e.Service, e.Kind, e.Reason)
}

// Outcome is what one call produced, in the order it happened.
type Outcome struct {
	Decisions []Decision `json:"decisions,omitempty"`
	Events    []Event    `json:"events,omitempty"`
}

// Empty reports whether nothing happened.
func (o Outcome) Empty() bool { return len(o.Decisions) == 0 && len(o.Events) == 0 }
