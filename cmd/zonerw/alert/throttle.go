package alert

import (
	"time"
)

// repeating are the kinds that can come again and again while their
// cause lasts or keeps coming back (a publish failing every round, the
// governor refusing, the checker's own link cut off spell after spell, a
// drift found at every read-back while on_drift: report leaves it). A
// switch or an all-down is raised once by the engine and always goes out.
var repeating = map[Kind]bool{
	Isolated:       true,
	FlapHeld:       true,
	PublishFailing: true,
	Drift:          true,
}

// Throttle lets the first alert of a repeating kind through and holds
// its repeats for Window, so an operator gets a reminder, not a flood.
// Last is exported so cron mode can keep it in its state file between
// runs. A Throttle is not safe for concurrent use.
type Throttle struct {
	Window time.Duration
	Last   map[string]time.Time
}

// Allow reports whether ev should be sent at now, and notes it if so.
func (t *Throttle) Allow(ev Event, now time.Time) bool {
	if !repeating[ev.Kind] {
		return true
	}
	k := ev.key()
	if last, ok := t.Last[k]; ok && now.Sub(last) < t.Window {
		return false
	}
	if t.Last == nil {
		t.Last = map[string]time.Time{}
	}
	t.Last[k] = now
	return true
}

// Clear forgets ev's kind and subject, so the next failure alerts at once
// (call it when the cause is over: a publish succeeded).
func (t *Throttle) Clear(ev Event) {
	delete(t.Last, ev.key())
}

// key names the kind and what it is about.
func (e Event) key() string {
	k := string(e.Kind) + " " + e.Service + "/" + e.Zone + "/" + e.Provider + "/" + e.Secondary
	if e.Destination != "" {
		k += "/" + e.Destination
	}
	if e.Record != "" {
		k += "/" + e.Record
	}
	return k
}
