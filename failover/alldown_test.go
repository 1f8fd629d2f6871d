package failover

import (
	"slices"
	"testing"
	"time"
)

func TestAllDownPolicies(t *testing.T) {
	m := time.Minute
	down := []EventKind{EventAllDown}
	tests := []struct {
		policy AllDownPolicy
		ticks  []tick
	}{
		{
			policy: "", // keep
			ticks: []tick{
				{at: 0, probe: "-+", want: "backup", moves: true},
				{at: 1 * m, probe: "--", want: "backup", events: down},
				{at: 2 * m, probe: "--", want: "backup"}, // reported once
				{at: 3 * m, probe: "+-", want: "main", moves: true},
			},
		},
		{
			policy: AllDownFirst,
			ticks: []tick{
				{at: 0, probe: "-+", want: "backup", moves: true},
				{at: 1 * m, probe: "--", want: "main", moves: true, events: down},
				{at: 2 * m, probe: "--", want: "main"},
				{at: 3 * m, probe: "-+", want: "backup", moves: true},
			},
		},
		{
			policy: AllDownAll,
			ticks: []tick{
				{at: 0, probe: "-+", want: "backup", moves: true},
				{at: 1 * m, probe: "--", want: "main,backup", moves: true, events: down},
				{at: 2 * m, probe: "--", want: "main,backup"},
				{at: 3 * m, probe: "-+", want: "backup", moves: true},
				{at: 4 * m, probe: "--", want: "main,backup", moves: true, events: down},
				{at: 5 * m, probe: "+-", want: "main", moves: true},
			},
		},
	}
	for _, tc := range tests {
		t.Run(string(tc.policy), func(t *testing.T) {
			svc := webService(1, 1)
			svc.AllDown = tc.policy
			play(t, NewEngine([]Service{svc}, nil), svc, tc.ticks)
		})
	}
}

func TestAllDownAllKeepsActiveAndSurvivesRestart(t *testing.T) {
	svc := webService(1, 1)
	svc.AllDown = AllDownAll
	e := NewEngine([]Service{svc}, nil)
	e.Observe(results(svc, "-+", t0))
	ds := e.Observe(results(svc, "--", t0.Add(time.Minute)))
	if len(ds) != 1 || ds[0].String() != "web: backup -> all of main,backup (all targets down: policy all serves every target)" {
		t.Fatalf("decisions %v", ds)
	}
	if e.Active()["web"] != "backup" {
		t.Fatalf("Active = %q, want the last target served alone", e.Active()["web"])
	}
	e = NewEngine([]Service{svc}, e.State())
	if got := e.ActiveTargets()["web"]; !slices.Equal(got, []string{"main", "backup"}) {
		t.Fatalf("after restart serving %v", got)
	}
}

func TestParsePolicies(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"", "keep", false}, {"keep", "keep", false}, {"first", "first", false}, {"all", "all", false}, {"none", "", true},
	}
	for _, tc := range tests {
		p, err := ParseAllDownPolicy(tc.in)
		if string(p) != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("ParseAllDownPolicy(%q) = %q, %v", tc.in, p, err)
		}
	}
	for in, want := range map[string]FlapRelease{"": FlapReleaseAuto, "auto": FlapReleaseAuto, "manual": FlapReleaseManual} {
		if r, err := ParseFlapRelease(in); r != want || err != nil {
			t.Errorf("ParseFlapRelease(%q) = %q, %v", in, r, err)
		}
	}
	if _, err := ParseFlapRelease("never"); err == nil {
		t.Error("ParseFlapRelease(never): no error")
	}
}

// TestAllDownPolicyChangedByReload: a service serving every target under
// "all" when a reload makes the policy "keep" goes back to one target, with
// a decision that says why.
func TestAllDownPolicyChangedByReload(t *testing.T) {
	svc := webService(1, 1)
	svc.AllDown = AllDownAll
	e := NewEngine([]Service{svc}, nil)
	e.Apply(Round{At: t0, Observations: results(svc, "--", t0)})
	if !e.State()["web"].ServeAll {
		t.Fatal("policy all does not serve every target")
	}
	svc.AllDown = AllDownKeep
	e = NewEngine([]Service{svc}, e.State())
	at := t0.Add(time.Minute)
	out := e.Apply(Round{At: at, Observations: results(svc, "--", at)})
	if len(out.Decisions) != 1 {
		t.Fatalf("decisions %+v, want one", out.Decisions)
	}
	d := out.Decisions[0]
	if d.Kind != DecisionAllDown || d.Reason != "all targets down: policy keep stays on main" || len(d.Serving) != 1 {
		t.Fatalf("decision %+v", d)
	}
}
