package failover

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func flappyService(max int, window time.Duration, release FlapRelease) Service {
	svc := webService(1, 1)
	svc.MaxSwitches, svc.SwitchWindow, svc.FlapRelease = max, window, release
	return svc
}

func TestFlapGovernor(t *testing.T) {
	m := time.Minute
	held, released := []EventKind{EventFlapHeld}, []EventKind{EventFlapReleased}
	tests := []struct {
		name    string
		max     int
		release FlapRelease
		ticks   []tick
	}{
		{
			name: "governor off: every flap switches", max: 0,
			ticks: []tick{
				{at: 0, probe: "-+", want: "backup", moves: true},
				{at: 1 * m, probe: "++", want: "main", moves: true},
				{at: 2 * m, probe: "-+", want: "backup", moves: true},
				{at: 3 * m, probe: "++", want: "main", moves: true},
			},
		},
		{
			name: "the third switch in the window is refused and held", max: 2,
			ticks: []tick{
				{at: 0, probe: "-+", want: "backup", moves: true},
				{at: 1 * m, probe: "++", want: "main", moves: true},
				{at: 2 * m, probe: "-+", want: "main", events: held},
				{at: 3 * m, probe: "++", want: "main"},
				{at: 4 * m, probe: "-+", want: "main"},
			},
		},
		{
			name: "switches older than the window are forgotten", max: 2,
			ticks: []tick{
				{at: 0, probe: "-+", want: "backup", moves: true},
				{at: 1 * m, probe: "++", want: "main", moves: true},
				{at: 10 * m, probe: "-+", want: "backup", moves: true},
				{at: 10*m + 30*time.Second, probe: "++", want: "backup", events: held}, // switches at 1m and 10m count
			},
		},
		{
			name: "auto release once the wanted target is steady for the window", max: 2, release: FlapReleaseAuto,
			ticks: []tick{
				{at: 0, probe: "-+", want: "backup", moves: true},
				{at: 1 * m, probe: "++", want: "main", moves: true},
				{at: 2 * m, probe: "-+", want: "main", events: held}, // wants backup since 2m
				{at: 3 * m, probe: "++", want: "main"},               // wants main since 3m
				{at: 4 * m, probe: "-+", want: "main"},               // wants backup since 4m
				{at: 13 * m, probe: "-+", want: "main"},
				{at: 14 * m, probe: "-+", want: "backup", moves: true, events: released},
				{at: 15 * m, probe: "++", want: "main", moves: true}, // the budget is fresh
			},
		},
		{
			name: "auto release without a switch when the current target is what is wanted", max: 2,
			ticks: []tick{
				{at: 0, probe: "-+", want: "backup", moves: true},
				{at: 1 * m, probe: "++", want: "main", moves: true},
				{at: 2 * m, probe: "-+", want: "main", events: held},
				{at: 3 * m, probe: "++", want: "main"},
				{at: 13 * m, probe: "++", want: "main", events: released},
			},
		},
		{
			name: "manual release: held however long it is steady", max: 2, release: FlapReleaseManual,
			ticks: []tick{
				{at: 0, probe: "-+", want: "backup", moves: true},
				{at: 1 * m, probe: "++", want: "main", moves: true},
				{at: 2 * m, probe: "-+", want: "main", events: held},
				{at: 60 * m, probe: "-+", want: "main"},
				{at: 600 * m, probe: "-+", want: "main"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svc := flappyService(tc.max, 10*m, tc.release)
			play(t, NewEngine([]Service{svc}, nil), svc, tc.ticks)
		})
	}
}

func TestFlapHoldEndsOnUnpinAndSurvivesRestart(t *testing.T) {
	svc := flappyService(1, 10*time.Minute, FlapReleaseManual)
	clock := &fixedClock{now: t0.Add(5 * time.Minute)}
	e := NewEngine([]Service{svc}, nil, WithClock(clock.Now))
	e.Observe(results(svc, "-+", t0))
	out := e.Apply(Round{Observations: results(svc, "++", t0.Add(time.Minute))})
	if len(out.Events) != 1 || out.Events[0].Kind != EventFlapHeld {
		t.Fatalf("outcome %+v, want a flap hold", out)
	}
	if !strings.Contains(out.Events[0].Reason, "held on backup instead of moving to main") {
		t.Fatalf("reason %q", out.Events[0].Reason)
	}
	// A restart keeps the hold.
	e = NewEngine([]Service{svc}, e.State(), WithClock(clock.Now))
	if h := e.State()["web"].Hold; h == nil || h.Want != "main" {
		t.Fatalf("hold after restart = %+v", h)
	}
	if err := e.Unpin("web"); err != nil {
		t.Fatal(err)
	}
	out = e.Pending()
	if len(out.Decisions) != 1 || out.Decisions[0].To != "main" || kinds(out.Events)[0] != EventUnpinned {
		t.Fatalf("after unpin: %+v", out)
	}
	if err := e.Unpin("web"); !errors.Is(err, ErrNotPinned) {
		t.Fatalf("second unpin: %v, want ErrNotPinned", err)
	}
	if got := e.Counts()[EventFlapHeld]; got != 0 {
		// Counts are per engine: the hold was counted before the restart.
		t.Fatalf("flap holds counted after restart = %d", got)
	}
}

// Invariant 5: however main flaps, no window holds more than MaxSwitches
// automatic switches, and quiet spells let the service move again.
func TestFlapGovernorBoundsSwitchesPerWindow(t *testing.T) {
	const max, window = 3, 30 * time.Minute
	svc := flappyService(max, window, FlapReleaseAuto)
	e := NewEngine([]Service{svc}, nil)
	var at []time.Time
	for min := range 6 * 60 {
		// Each hour: 20 minutes flapping every minute, 40 minutes steady
		// (down in odd hours, up in even ones).
		up := min%2 == 0
		if min%60 >= 20 {
			up = (min/60)%2 == 0
		}
		now := t0.Add(time.Duration(min) * time.Minute)
		probe := "-+"
		if up {
			probe = "++"
		}
		for _, d := range e.Observe(results(svc, probe, now)) {
			at = append(at, d.At)
		}
	}
	for i := range at {
		n := 0
		for _, a := range at[:i+1] {
			if at[i].Sub(a) < window {
				n++
			}
		}
		if n > max {
			t.Fatalf("%d switches in the %s before %s: %v", n, window, at[i], at)
		}
	}
	t.Logf("%d switches in 6 hours", len(at))
	if len(at) < 6*2 {
		t.Fatalf("only %d switches in 6 hours: the hold never let go (%v)", len(at), at)
	}
}

func TestFlapHoldEndsWhenTheGovernorIsTurnedOff(t *testing.T) {
	svc := flappyService(1, time.Hour, FlapReleaseManual)
	e := NewEngine([]Service{svc}, nil)
	e.Observe(results(svc, "-+", t0))
	e.Observe(results(svc, "++", t0.Add(time.Minute)))
	svc.MaxSwitches = 0 // a reload turns the governor off
	e = NewEngine([]Service{svc}, e.State())
	out := e.Apply(Round{Observations: results(svc, "++", t0.Add(2*time.Minute))})
	if len(out.Decisions) != 1 || out.Decisions[0].To != "main" || kinds(out.Events)[0] != EventFlapReleased {
		t.Fatalf("outcome %+v", out)
	}
}
