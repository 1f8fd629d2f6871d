package failover

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// drillEngine is web (main, backup; rise 1, fall 2) on a clock the test
// moves, every target probed up once.
func drillEngine(t *testing.T) (*Engine, *fixedClock, Service) {
	t.Helper()
	clk := &fixedClock{now: t0}
	svc := webService(1, 2)
	e := NewEngine([]Service{svc}, nil, WithClock(clk.Now))
	e.Observe(results(svc, "++", t0))
	return e, clk, svc
}

func TestDrillMovesToTheNextTargetAndBack(t *testing.T) {
	e, clk, svc := drillEngine(t)
	until := t0.Add(2 * time.Minute)
	pin, err := e.StartDrill("web", 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	out := e.Pending()
	if pin.Target != "backup" || pin.From != "main" || !pin.Drill || len(out.Decisions) != 1 ||
		out.Decisions[0].Kind != DecisionDrill || !slices.Equal(kinds(out.Events), []EventKind{EventDrillStarted}) {
		t.Fatalf("pin %+v, outcome %+v", pin, out)
	}
	if _, err := e.StartDrill("web", time.Minute); !errors.Is(err, ErrNoDrill) || !strings.Contains(err.Error(), "a drill on backup runs already") {
		t.Fatalf("a second drill: %v", err)
	}
	// The probes go on: backup answers, main's failure alone moves nothing.
	for i, p := range []string{"++", "-+", "++"} {
		clk.now = t0.Add(time.Duration(i+1) * 10 * time.Second)
		if ds := e.Observe(results(svc, p, clk.now)); len(ds) != 0 {
			t.Fatalf("probes %q moved the drill: %v", p, ds)
		}
	}
	clk.now = until
	end, ok := e.EndDrill("web", pin.Since)
	if !ok || end.Aborted || end.Pin.Probes != 3 || end.Pin.ProbesFailed != 0 || end.Why != "drill on backup ended after 2m0s" {
		t.Fatalf("end %+v, %v", end, ok)
	}
	out = e.Pending()
	if len(out.Decisions) != 1 || out.Decisions[0].To != "main" || out.Decisions[0].Kind != DecisionDrillEnd || len(out.Events) != 0 {
		t.Fatalf("end of the drill: %+v", out)
	}
	e.FinishDrill(DrillReport{Service: "web", From: "main", Target: "backup", Start: t0, End: until, Result: DrillPassed, Reason: "passed"})
	if out := e.Pending(); len(out.Events) != 1 || out.Events[0].Kind != EventDrillFinished || out.Events[0].Drill.Result != DrillPassed {
		t.Fatalf("finish: %+v", out)
	}
	if r := e.State()["web"].LastDrill; r == nil || r.Result != DrillPassed {
		t.Fatalf("last drill %+v", r)
	}
}

// TestARealFailureWinsOverADrill: the drill target going down, or the
// target the drill left, ends the drill at once and the rules decide.
func TestARealFailureWinsOverADrill(t *testing.T) {
	for _, tc := range []struct {
		probe, want, why string
	}{
		{"+-", "main", "drill on backup ended early: backup went down (connect: connection refused); a real failure wins over the drill"},
		{"-+", "backup", "drill on backup ended early: main went down (connect: connection refused); a real failure wins over the drill"},
	} {
		t.Run(tc.probe, func(t *testing.T) {
			e, clk, svc := drillEngine(t)
			pin, err := e.StartDrill("web", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			e.Pending()
			for i := range 2 {
				clk.now = t0.Add(time.Duration(i+1) * 10 * time.Second)
				e.Observe(results(svc, tc.probe, clk.now))
			}
			end, ok := e.EndDrill("web", pin.Since)
			if !ok || !end.Aborted || end.Why != tc.why {
				t.Fatalf("end %+v\nwant aborted: %s", end, tc.why)
			}
			if got := e.Active()["web"]; got != tc.want {
				t.Fatalf("active %s, want %s", got, tc.want)
			}
			if _, held := e.Drill("web"); held {
				t.Fatal("the drill pin is still there")
			}
			if e.Counts()[EventDrillAborted] != 1 {
				t.Fatalf("counts %v", e.Counts())
			}
		})
	}
}

func TestDrillRefusals(t *testing.T) {
	tests := []struct {
		name  string
		setup func(e *Engine, svc Service)
		want  string
	}{
		{"next target down", func(e *Engine, svc Service) { e.Observe(results(svc, "+-", t0)); e.Observe(results(svc, "+-", t0)) },
			"drill web: no drill: its next target backup is down (connect: connection refused)"},
		{"active target down", func(e *Engine, svc Service) {
			for range 3 {
				e.Observe(results(svc, "--", t0))
			}
		},
			"drill web: no drill: its active target main is down: a real failover comes first"},
		{"pinned", func(e *Engine, svc Service) { e.Pin("web", "main", time.Time{}, "") },
			"drill web: no drill: it is pinned to main"},
		{"cut off", func(e *Engine, svc Service) {
			e.Apply(Round{Observations: results(svc, "-+", t0), Witnesses: []Observation{{Target: "gw", Reason: "timeout"}}})
		}, "drill web: no drill: the checker looks cut off (every witness fails)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, _, svc := drillEngine(t)
			tc.setup(e, svc)
			if _, err := e.StartDrill("web", time.Hour); err == nil || err.Error() != tc.want {
				t.Fatalf("err %v\nwant %s", err, tc.want)
			}
		})
	}
	pool := poolService(1, 1, 0, "")
	e := NewEngine([]Service{pool}, nil)
	if _, err := e.StartDrill("web", time.Hour); err == nil || !strings.Contains(err.Error(), "drills are for mode failover") {
		t.Fatalf("pool: %v", err)
	}
}

// TestDrillPinEndsOnItsOwnAndByOperators: a drill whose driver is gone
// (the daemon restarted) ends at its end time; unpin ends it early.
func TestDrillPinEndsOnItsOwnAndByOperators(t *testing.T) {
	e, clk, svc := drillEngine(t)
	pin, _ := e.StartDrill("web", time.Minute)
	restarted := NewEngine([]Service{svc}, e.State(), WithClock(clk.Now))
	if p, ok := restarted.Drill("web"); !ok || !p.Since.Equal(pin.Since) || restarted.Active()["web"] != "backup" {
		t.Fatalf("after a restart: %+v %v", p, ok)
	}
	clk.now = t0.Add(time.Minute)
	ds := restarted.Observe(results(svc, "++", clk.now))
	if len(ds) != 1 || ds[0].Kind != DecisionDrillEnd || ds[0].To != "main" {
		t.Fatalf("at its end time: %v", ds)
	}
	if end, ok := restarted.EndDrill("web", pin.Since); !ok || end.Aborted {
		t.Fatalf("end %+v %v", end, ok)
	}

	e, _, _ = drillEngine(t)
	pin, _ = e.StartDrill("web", time.Minute)
	if err := e.Unpin("web"); err != nil {
		t.Fatal(err)
	}
	if end, ok := e.EndDrill("web", pin.Since); !ok || !end.Aborted || end.Why != "drill on backup ended early by zonerw unpin" || e.Active()["web"] != "main" {
		t.Fatalf("unpinned: %+v %v, active %s", end, ok, e.Active()["web"])
	}
}
