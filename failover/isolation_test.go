package failover

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestIsolationGuard(t *testing.T) {
	failed := Observation{Target: "resolver", OK: false, Reason: "timeout after 2s", At: t0}
	ok := Observation{Target: "gateway", OK: true, Reason: "HTTP 204", At: t0}
	tests := []struct {
		name       string
		probe      string
		witnesses  []Observation
		wantActive string
		wantEvents []EventKind
	}{
		{"every witness fails: the failure is not counted", "-+", []Observation{failed, {Target: "gateway", Reason: "connect: network is unreachable", At: t0}}, "main", []EventKind{EventIsolated}},
		{"one witness answers: the failure counts", "-+", []Observation{failed, ok}, "backup", nil},
		{"no witnesses (cron mode): the failure counts", "-+", nil, "backup", nil},
		{"witnesses fail but no target does: nothing to hold", "++", []Observation{failed}, "main", nil},
		{"a success still counts while isolated", "+-", []Observation{failed}, "main", []EventKind{EventIsolated}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svc := webService(1, 1)
			e := NewEngine([]Service{svc}, nil)
			out := e.Apply(Round{Observations: results(svc, tc.probe, t0), Witnesses: tc.witnesses})
			if got := e.Active()["web"]; got != tc.wantActive {
				t.Fatalf("active %q, want %q (%+v)", got, tc.wantActive, out)
			}
			if got := kinds(out.Events); !slices.Equal(got, tc.wantEvents) {
				t.Fatalf("events %v, want %v", out.Events, tc.wantEvents)
			}
			if e.Counts()[EventIsolated] != len(tc.wantEvents) {
				t.Fatalf("counts %v", e.Counts())
			}
		})
	}
}

// TestIsolationIsOneSpell: while the checker stays cut off its failures
// are set aside round after round, with one event when the spell begins
// and one when a round counts again.
func TestIsolationIsOneSpell(t *testing.T) {
	svc := webService(1, 2)
	e := NewEngine([]Service{svc}, nil)
	wit := []Observation{{Target: "resolver", Reason: "timeout after 2s", At: t0}}
	for i := range 3 {
		at := t0.Add(time.Duration(i) * time.Minute)
		out := e.Apply(Round{At: at, Observations: results(svc, "--", at), Witnesses: wit})
		if len(out.Decisions) != 0 {
			t.Fatalf("round %d switched while isolated: %+v", i, out)
		}
		if i > 0 {
			if len(out.Events) != 0 {
				t.Fatalf("round %d of the same spell: events %+v, want none", i, out.Events)
			}
			continue
		}
		want := "checker looks cut off: all 1 witnesses failed (resolver: timeout after 2s); not counted: main: connect: connection refused; backup: connect: connection refused"
		if len(out.Events) != 1 || out.Events[0].Kind != EventIsolated || out.Events[0].Reason != want || len(out.Events[0].Cause) != 3 {
			t.Fatalf("first round: events %+v\nwant one isolated event saying %q", out.Events, want)
		}
	}
	st := e.State()["web"]
	if main := st.Targets["main"]; main.Failures != 0 || !main.Up {
		t.Fatalf("main = %+v: isolated failures were counted", main)
	}
	if !st.IsolatedSince.Equal(t0) || st.IsolatedRounds != 3 {
		t.Fatalf("isolated since %s for %d rounds, want %s and 3", st.IsolatedSince, st.IsolatedRounds, t0)
	}

	// Once the checker is connected again, fall starts from zero.
	at := t0.Add(3 * time.Minute)
	out := e.Apply(Round{At: at, Observations: results(svc, "-+", at)})
	if len(out.Decisions) != 0 || len(out.Events) != 1 || out.Events[0].Kind != EventIsolationEnded ||
		out.Events[0].Reason != "checker connected again after 3m0s (a failure was counted); the failures of 3 round(s) were not counted" {
		t.Fatalf("first counted round: %+v", out)
	}
	if ds := e.Observe(results(svc, "-+", t0)); len(ds) != 1 || !strings.Contains(ds[0].Reason, "2 consecutive failures") {
		t.Fatalf("second counted failure: %v", ds)
	}
	if got := e.Counts(); got[EventIsolated] != 1 || got[EventIsolationEnded] != 1 {
		t.Fatalf("counts %v, want one spell", got)
	}
	if st := e.State()["web"]; !st.IsolatedSince.IsZero() || st.IsolatedRounds != 0 {
		t.Fatalf("after the spell: isolated since %s for %d rounds", st.IsolatedSince, st.IsolatedRounds)
	}
}

// TestFlakyUplinkIsOneSpell: rounds where the checker is cut off and
// rounds where every target answers, one after the other, make one spell;
// it ends after three clean rounds in a row.
func TestFlakyUplinkIsOneSpell(t *testing.T) {
	svc := webService(1, 1)
	e := NewEngine([]Service{svc}, nil)
	wit := []Observation{{Target: "resolver", Reason: "timeout after 2s", At: t0}}
	var kinds []EventKind
	for i, probe := range []string{"--", "++", "--", "++", "++", "--", "++", "++", "++", "++"} {
		at := t0.Add(time.Duration(i) * time.Minute)
		r := Round{At: at, Observations: results(svc, probe, at)}
		if probe == "--" {
			r.Witnesses = wit // as the loop does: witnesses only when a target failed
		}
		out := e.Apply(r)
		for _, ev := range out.Events {
			kinds = append(kinds, ev.Kind)
			if ev.Kind == EventIsolationEnded && (!ev.At.Equal(t0.Add(8*time.Minute)) ||
				ev.Reason != "checker connected again after 8m0s (every target answered 3 rounds in a row); the failures of 3 round(s) were not counted") {
				t.Errorf("end of the spell: %+v", ev)
			}
		}
		if len(out.Decisions) != 0 {
			t.Fatalf("round %d switched: %+v", i, out.Decisions)
		}
	}
	if !slices.Equal(kinds, []EventKind{EventIsolated, EventIsolationEnded}) {
		t.Fatalf("events %v, want one spell", kinds)
	}
}
