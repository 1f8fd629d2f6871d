package failover

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func webService(rise, fall int) Service {
	return Service{Name: "web", Targets: []string{"main", "backup"}, Rise: rise, Fall: fall}
}

// round is one cron run: every target of web probed once.
type round struct {
	main, backup bool
	wantActive   string
	wantSwitch   bool
}

func TestEngineRounds(t *testing.T) {
	tests := []struct {
		name       string
		rise, fall int
		rounds     []round
	}{
		{
			name: "main stays while up", rise: 2, fall: 3,
			rounds: []round{{true, true, "main", false}, {true, false, "main", false}},
		},
		{
			name: "fall consecutive failures move to backup", rise: 2, fall: 3,
			rounds: []round{
				{false, true, "main", false},
				{false, true, "main", false},
				{false, true, "backup", true},
				{false, true, "backup", false},
			},
		},
		{
			name: "a success in between resets the failure count", rise: 2, fall: 2,
			rounds: []round{
				{false, true, "main", false},
				{true, true, "main", false},
				{false, true, "main", false},
				{false, true, "backup", true},
			},
		},
		{
			name: "failback after rise consecutive successes", rise: 2, fall: 1,
			rounds: []round{
				{false, true, "backup", true},
				{true, true, "backup", false},
				{true, true, "main", true},
			},
		},
		{
			name: "all down keeps the last active target", rise: 1, fall: 1,
			rounds: []round{
				{false, true, "backup", true},
				{false, false, "backup", false},
				{false, false, "backup", false},
				{true, false, "main", true},
			},
		},
		{
			name: "fall 1 rise 1 behaves like the original script", rise: 1, fall: 1,
			rounds: []round{
				{false, true, "backup", true},
				{true, true, "main", true},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEngine([]Service{webService(tc.rise, tc.fall)}, nil)
			for i, r := range tc.rounds {
				at := t0.Add(time.Duration(i) * time.Minute)
				ds := e.Observe([]Observation{
					{Service: "web", Target: "main", OK: r.main, Reason: reason(r.main), At: at},
					{Service: "web", Target: "backup", OK: r.backup, Reason: reason(r.backup), At: at},
				})
				if got := e.Active()["web"]; got != r.wantActive {
					t.Fatalf("round %d: active = %q, want %q", i, got, r.wantActive)
				}
				if (len(ds) == 1) != r.wantSwitch || len(ds) > 1 {
					t.Fatalf("round %d: decisions = %v, want switch=%v", i, ds, r.wantSwitch)
				}
				if r.wantSwitch && (ds[0].To != r.wantActive || !ds[0].At.Equal(at)) {
					t.Fatalf("round %d: decision %+v", i, ds[0])
				}
			}
		})
	}
}

func reason(ok bool) string {
	if ok {
		return "HTTP 200"
	}
	return "connect: connection refused"
}

func TestDecisionReasonNamesTheCause(t *testing.T) {
	e := NewEngine([]Service{webService(1, 2)}, nil)
	var ds []Decision
	for i := 0; i < 2; i++ {
		ds = e.Observe([]Observation{{Service: "web", Target: "main", OK: false, Reason: "HTTP 503 (want 2xx)", At: t0}})
	}
	if len(ds) != 1 {
		t.Fatalf("decisions = %v", ds)
	}
	want := "web: main -> backup (main down after 2 consecutive failures: HTTP 503 (want 2xx))"
	if ds[0].String() != want {
		t.Fatalf("got  %q\nwant %q", ds[0].String(), want)
	}
}

func TestStateSurvivesARestart(t *testing.T) {
	svc := webService(2, 2)
	e := NewEngine([]Service{svc}, nil)
	e.Observe([]Observation{{Service: "web", Target: "main", OK: false, At: t0}})
	// A new process starts from the saved state: the second failure counts.
	e2 := NewEngine([]Service{svc}, e.State())
	ds := e2.Observe([]Observation{{Service: "web", Target: "main", OK: false, At: t0}})
	if len(ds) != 1 || ds[0].To != "backup" {
		t.Fatalf("decisions after restart = %v", ds)
	}
	// State() is a copy: changing it does not change the engine.
	st := e2.State()
	st["web"].Active = "main"
	if e2.Active()["web"] != "backup" {
		t.Fatal("State() returned shared memory")
	}
}

func TestConfigChangesAreAbsorbed(t *testing.T) {
	saved := State{"web": {Active: "old", Targets: map[string]*TargetState{"old": {Up: true}, "main": {Up: false, Failures: 9}}}}
	e := NewEngine([]Service{webService(1, 1)}, saved)
	st := e.State()["web"]
	if st.Active != "main" {
		t.Fatalf("active = %q, want the first target when the saved one is gone", st.Active)
	}
	if _, ok := st.Targets["old"]; ok {
		t.Fatal("removed target kept")
	}
	if st.Targets["main"].Failures != 9 || !st.Targets["backup"].Up {
		t.Fatalf("targets = %+v", st.Targets)
	}
}

func TestUnknownObservationsAreIgnored(t *testing.T) {
	e := NewEngine([]Service{webService(1, 1)}, nil)
	ds := e.Observe([]Observation{{Service: "mail", Target: "main"}, {Service: "web", Target: "nope"}})
	if ds != nil || e.Active()["web"] != "main" {
		t.Fatalf("decisions %v, active %q", ds, e.Active()["web"])
	}
}
