package failover

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

func poolService(rise, fall, minUp int, policy AllDownPolicy) Service {
	return Service{Name: "web", Targets: []string{"a", "b", "c"}, Rise: rise, Fall: fall, Mode: ModePool, MinUp: minUp, AllDown: policy}
}

func TestPoolServesEveryTargetThatIsUp(t *testing.T) {
	m := time.Minute
	down := []EventKind{EventAllDown}
	tests := []struct {
		name  string
		svc   Service
		ticks []tick
	}{
		{"keep", poolService(1, 1, 0, ""), []tick{
			{at: 0, probe: "+++", want: "a,b,c"},
			{at: 1 * m, probe: "+-+", want: "a,c", moves: true},
			{at: 2 * m, probe: "--+", want: "c", moves: true},
			{at: 3 * m, probe: "---", want: "c", events: down}, // keep: never an empty set
			{at: 4 * m, probe: "-+-", want: "b", moves: true},
			{at: 5 * m, probe: "+++", want: "a,b,c", moves: true},
		}},
		{"rise and fall decide", poolService(2, 2, 0, ""), []tick{
			{at: 0, probe: "-++", want: "a,b,c"},
			{at: 1 * m, probe: "-++", want: "b,c", moves: true},
			{at: 2 * m, probe: "+++", want: "b,c"},
			{at: 3 * m, probe: "+++", want: "a,b,c", moves: true},
		}},
		{"min_up keeps the last members", poolService(1, 1, 2, ""), []tick{
			{at: 0, probe: "-++", want: "b,c", moves: true},
			{at: 1 * m, probe: "--+", want: "b,c"}, // b kept although down
			{at: 2 * m, probe: "+-+", want: "a,c", moves: true},
			{at: 3 * m, probe: "---", want: "a,c", events: down},
			{at: 4 * m, probe: "-+-", want: "a,b", moves: true}, // a kept: it was served
		}},
		{"all down: first", poolService(1, 1, 0, AllDownFirst), []tick{
			{at: 0, probe: "-++", want: "b,c", moves: true},
			{at: 1 * m, probe: "---", want: "a", moves: true, events: down},
			{at: 2 * m, probe: "--+", want: "c", moves: true},
		}},
		{"all down: all", poolService(1, 1, 0, AllDownAll), []tick{
			{at: 0, probe: "---", want: "a,b,c", moves: true, events: down},
			{at: 1 * m, probe: "-+-", want: "b", moves: true},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			play(t, NewEngine([]Service{tc.svc}, nil), tc.svc, tc.ticks)
		})
	}
}

func TestPoolDecisionsNameTheMembers(t *testing.T) {
	svc := poolService(1, 2, 2, "")
	e := NewEngine([]Service{svc}, nil)
	e.Observe(results(svc, "+-+", t0))
	out := e.Apply(Round{Observations: results(svc, "--+", t0.Add(time.Minute))})
	if len(out.Decisions) != 1 {
		t.Fatalf("decisions %+v", out.Decisions)
	}
	d := out.Decisions[0]
	want := "pool serves a,c: b left after 2 consecutive failures: connect: connection refused"
	if !d.Pool || d.Kind != DecisionMemberDown || d.Reason != want || !slices.Equal(d.Left, []string{"b"}) || d.Joined != nil ||
		!slices.Equal(d.Serving, []string{"a", "c"}) || d.To != "a" {
		t.Fatalf("decision %+v\nwant reason %q", d, want)
	}
	// a fails too: min_up 2 keeps it, since only c is up.
	out = e.Apply(Round{Observations: results(svc, "--+", t0.Add(2*time.Minute))})
	if len(out.Decisions) != 0 || strings.Join(e.ActiveTargets()["web"], ",") != "a,c" {
		t.Fatalf("after a went down: %+v, serving %v", out, e.ActiveTargets()["web"])
	}
	out = e.Apply(Round{Observations: results(svc, "-++", t0.Add(3*time.Minute))})
	d = out.Decisions[0]
	want = "pool serves b,c: a left after 3 consecutive failures: connect: connection refused; b joined after 1 consecutive successes"
	if d.Reason != want || d.Kind != DecisionMemberDown || !slices.Equal(d.Joined, []string{"b"}) || !slices.Equal(d.Left, []string{"a"}) {
		t.Fatalf("decision %+v\nwant reason %q", d, want)
	}
	if s := d.String(); s != "web: pool serves b,c ("+want+")" {
		t.Errorf("String() = %q", s)
	}
}

// TestPoolStateSurvivesRestartAndOldFiles: the members are saved, a
// state file from before pools (no members) starts a pool on the
// targets that are up, and a pin serves its target alone.
func TestPoolStateSurvivesRestartAndOldFiles(t *testing.T) {
	svc := poolService(1, 1, 0, "")
	e := NewEngine([]Service{svc}, nil)
	e.Observe(results(svc, "+-+", t0))
	b, err := json.Marshal(e.State())
	if err != nil {
		t.Fatal(err)
	}
	var saved State
	if err := json.Unmarshal(b, &saved); err != nil {
		t.Fatal(err)
	}
	if got := NewEngine([]Service{svc}, saved).ActiveTargets()["web"]; !slices.Equal(got, []string{"a", "c"}) {
		t.Fatalf("after a restart: %v", got)
	}
	old := `{"web":{"active":"b","targets":{"a":{"up":false},"b":{"up":true},"c":{"up":true}}}}`
	if err := json.Unmarshal([]byte(old), &saved); err != nil {
		t.Fatal(err)
	}
	re := NewEngine([]Service{svc}, saved)
	if got := re.ActiveTargets()["web"]; !slices.Equal(got, []string{"b", "c"}) {
		t.Fatalf("from a state file of failover mode: %v", got)
	}
	if err := re.Pin("web", "c", time.Time{}, ""); err != nil {
		t.Fatal(err)
	}
	if got := re.ActiveTargets()["web"]; !slices.Equal(got, []string{"c"}) {
		t.Fatalf("pinned: %v", got)
	}
	if err := re.Unpin("web"); err != nil {
		t.Fatal(err)
	}
	if got := re.ActiveTargets()["web"]; !slices.Equal(got, []string{"b", "c"}) {
		t.Fatalf("unpinned: %v", got)
	}
	// A service that leaves pool mode forgets its members.
	fo := svc
	fo.Mode = ModeFailover
	if got := NewEngine([]Service{fo}, re.State()).ActiveTargets()["web"]; !slices.Equal(got, []string{"b"}) {
		t.Fatalf("back in failover mode: %v", got)
	}
}

func TestExplainAPool(t *testing.T) {
	svc := poolService(2, 3, 2, "")
	e := NewEngine([]Service{svc}, nil)
	for i, p := range []string{"-++", "-++", "-++", "--+"} {
		at := t0.Add(time.Duration(i) * 10 * time.Second)
		e.Apply(Round{At: at, Observations: results(svc, p, at)})
	}
	now := t0.Add(30 * time.Second)
	x, err := e.ExplainSchedule("web", now, Schedule{Next: every10s, ConfirmEvery: time.Second,
		Confirm: map[string]time.Time{"b": now.Add(time.Second)}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "the pool serves every target that is up: b, c; down and left out: a"; x.Now != want || !slices.Equal(x.Serving, []string{"b", "c"}) {
		t.Fatalf("now %q, serving %v", x.Now, x.Serving)
	}
	got := map[string]Move{}
	for _, m := range x.Next {
		got[m.If] = m
	}
	// b failed once: its confirmation probes at +1s and +2s would take
	// it out, but min_up 2 keeps it; a coming back (rise 2) joins after
	// the next round and one confirmation; c going down is kept too.
	aBack := got["a passes 2 more probe(s) in a row (rise 2)"]
	if aBack.To != "a,b,c" || !aBack.Earliest.Equal(now.Add(11*time.Second)) || aBack.Rounds != 2 {
		t.Errorf("a coming back: %+v", aBack)
	}
	if len(x.Next) != 1 {
		t.Errorf("moves %+v: b and c going down change nothing under min_up 2", x.Next)
	}
	if x.Rules.Mode != ModePool || x.Rules.MinUp != 2 || x.Rules.ConfirmEvery != time.Second {
		t.Errorf("rules %+v", x.Rules)
	}
}

func TestExplainCountsConfirmationProbes(t *testing.T) {
	_, e := explainAt(t, webService(2, 3), "++", "-+")
	now := t0.Add(10 * time.Second)
	x, err := e.ExplainSchedule("web", now, Schedule{Next: every10s, ConfirmEvery: time.Second,
		Confirm: map[string]time.Time{"main": now.Add(time.Second)}})
	if err != nil {
		t.Fatal(err)
	}
	// One failure of main seen, fall 3: its confirmation probes at +1s
	// and +2s decide, not the rounds at +10s and +20s.
	if m := only(t, x); m.To != "backup" || !m.Earliest.Equal(now.Add(2*time.Second)) {
		t.Fatalf("move %+v, want backup at %s", m, now.Add(2*time.Second))
	}
}
