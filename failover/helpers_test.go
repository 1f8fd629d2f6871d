package failover

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// tick is one round of a scripted test: every target of the service is
// probed at t0+at, and the outcome is checked.
type tick struct {
	at     time.Duration
	probe  string      // one rune per target in config order: '+' ok, '-' failed, '.' not probed
	want   string      // ActiveTargets of the service afterwards, joined by ","
	moves  bool        // whether a decision is expected
	events []EventKind // the events expected, in order
}

// play applies the ticks to e, which serves svc, and checks each one.
func play(t *testing.T, e *Engine, svc Service, ticks []tick) {
	t.Helper()
	for i, tk := range ticks {
		at := t0.Add(tk.at)
		out := e.Apply(Round{Observations: results(svc, tk.probe, at)})
		if got := strings.Join(e.ActiveTargets()[svc.Name], ","); got != tk.want {
			t.Fatalf("tick %d (%s %q): serving %q, want %q; outcome %+v", i, tk.at, tk.probe, got, tk.want, out)
		}
		if (len(out.Decisions) == 1) != tk.moves || len(out.Decisions) > 1 {
			t.Fatalf("tick %d (%s %q): decisions %v, want a move=%v", i, tk.at, tk.probe, out.Decisions, tk.moves)
		}
		if tk.moves {
			d := out.Decisions[0]
			if strings.Join(d.Serving, ",") != tk.want || !d.At.Equal(at) || len(d.Cause) == 0 {
				t.Fatalf("tick %d: decision %+v", i, d)
			}
		}
		if got := kinds(out.Events); !slices.Equal(got, tk.events) {
			t.Fatalf("tick %d (%s %q): events %v, want %v", i, tk.at, tk.probe, out.Events, tk.events)
		}
	}
}

// results turns a probe string into observations at the given time.
func results(svc Service, probe string, at time.Time) []Observation {
	var obs []Observation
	for i, r := range probe {
		if r == '.' {
			continue
		}
		obs = append(obs, Observation{Service: svc.Name, Target: svc.Targets[i], OK: r == '+', Reason: reason(r == '+'), At: at})
	}
	return obs
}

func kinds(evs []Event) []EventKind {
	var out []EventKind
	for _, ev := range evs {
		out = append(out, ev.Kind)
	}
	return out
}

// fixedClock is a clock a test moves by hand.
type fixedClock struct{ now time.Time }

func (c *fixedClock) Now() time.Time { return c.now }
