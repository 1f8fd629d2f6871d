package failover

import (
	"slices"
	"strings"
	"testing"
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

func TestIsolationEventSaysWhy(t *testing.T) {
	svc := webService(1, 2)
	e := NewEngine([]Service{svc}, nil)
	wit := []Observation{{Target: "resolver", Reason: "timeout after 2s", At: t0}}
	for range 3 {
		out := e.Apply(Round{Observations: results(svc, "--", t0), Witnesses: wit})
		if len(out.Events) != 1 || len(out.Decisions) != 0 {
			t.Fatalf("outcome %+v", out)
		}
		ev := out.Events[0]
		want := "checker looks cut off: all 1 witnesses failed (resolver: timeout after 2s); not counted: main: connect: connection refused; backup: connect: connection refused"
		if ev.Reason != want || len(ev.Cause) != 3 {
			t.Fatalf("event %+v\nwant reason %q", ev, want)
		}
	}
	if st := e.State()["web"].Targets["main"]; st.Failures != 0 || !st.Up {
		t.Fatalf("main = %+v: isolated failures were counted", st)
	}
	if e.Counts()[EventIsolated] != 3 {
		t.Fatalf("counts %v", e.Counts())
	}
	// Once the checker is connected again, fall starts from zero.
	if ds := e.Observe(results(svc, "-+", t0)); len(ds) != 0 {
		t.Fatalf("first counted failure switched: %v", ds)
	}
	if ds := e.Observe(results(svc, "-+", t0)); len(ds) != 1 || !strings.Contains(ds[0].Reason, "2 consecutive failures") {
		t.Fatalf("second counted failure: %v", ds)
	}
}
