package failover

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// every10s is a schedule of a round every ten seconds on the dot.
func every10s(t time.Time) time.Time { return t.Truncate(10 * time.Second).Add(10 * time.Second) }

// explainAt applies the probe strings one round every 10s from t0 and
// explains the service at the time of the last round.
func explainAt(t *testing.T, svc Service, probes ...string) (Explanation, *Engine) {
	t.Helper()
	e := NewEngine([]Service{svc}, nil)
	at := t0
	for i, p := range probes {
		at = t0.Add(time.Duration(i) * 10 * time.Second)
		e.Apply(Round{At: at, Observations: results(svc, p, at)})
	}
	x, err := e.Explain(svc.Name, at, every10s)
	if err != nil {
		t.Fatal(err)
	}
	return x, e
}

// only returns the single move of x, failing the test if there is not one.
func only(t *testing.T, x Explanation) Move {
	t.Helper()
	if len(x.Next) != 1 {
		t.Fatalf("moves %+v, want one", x.Next)
	}
	return x.Next[0]
}

func TestExplainOnThePreferredTarget(t *testing.T) {
	x, _ := explainAt(t, webService(2, 3), "++", "-+")
	if x.Active != "main" || !strings.Contains(x.Now, "main is up and is the most preferred target") {
		t.Fatalf("active %q, now %q", x.Active, x.Now)
	}
	m := only(t, x)
	// One failure seen, fall 3: two more rounds, at t0+20s and t0+30s.
	if m.To != "backup" || m.Rounds != 2 || !m.Earliest.Equal(t0.Add(30*time.Second)) || m.Held {
		t.Fatalf("move %+v, want to backup after 2 rounds at %s", m, t0.Add(30*time.Second))
	}
	if !strings.Contains(m.If, "main fails 2 more probe(s) in a row (fall 3) while backup stays up") {
		t.Errorf("condition %q", m.If)
	}
	if !x.NextSwitch.Equal(m.Earliest) {
		t.Errorf("next switch %s, want %s", x.NextSwitch, m.Earliest)
	}
	main := x.Targets[0]
	if main.Name != "main" || main.Priority != 1 || !main.Up || main.Failures != 1 || len(main.Recent) != 2 || main.Recent[1].OK {
		t.Errorf("main explained as %+v", main)
	}
}

func TestExplainFailbackWaitsForRiseAndDelay(t *testing.T) {
	svc := webService(2, 2)
	svc.FailbackDelay = time.Minute
	x, _ := explainAt(t, svc, "-+", "-+")
	if x.Active != "backup" || !x.ActiveSince.Equal(t0.Add(10*time.Second)) || !strings.Contains(x.LastReason, "main down after 2") {
		t.Fatalf("active %q since %s because %q", x.Active, x.ActiveSince, x.LastReason)
	}
	if !strings.Contains(x.Now, "every more preferred target is down") {
		t.Errorf("now %q", x.Now)
	}
	// Backup has no other target to fail over to (policy keep), so the
	// only move is back to main: rise at t0+30s, then a minute more.
	m := only(t, x)
	if m.To != "main" || m.Rounds != 2 || !m.Earliest.Equal(t0.Add(90*time.Second)) {
		t.Fatalf("move %+v, want main at %s", m, t0.Add(90*time.Second))
	}
	if !strings.Contains(m.If, "main passes 2 more probe(s) in a row (rise 2), then stays up for the failback delay 1m0s") {
		t.Errorf("condition %q", m.If)
	}

	// Main comes back at t0+30s: now it waits out the delay until t0+90s.
	x, _ = explainAt(t, svc, "-+", "-+", "++", "++")
	if !strings.Contains(x.Now, "main (preferred) is up since 2026-11-22T10:00:30Z and waits out the failback delay 1m0s") {
		t.Errorf("now %q", x.Now)
	}
	var back Move
	for _, m := range x.Next {
		if m.To == "main" {
			back = m
		}
	}
	if !back.Earliest.Equal(t0.Add(90 * time.Second)) {
		t.Errorf("failback %+v, want at %s", back, t0.Add(90*time.Second))
	}
}

func TestExplainWithoutScheduleCountsRounds(t *testing.T) {
	e := NewEngine([]Service{webService(1, 2)}, nil)
	x, err := e.Explain("web", t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := only(t, x)
	if m.Rounds != 2 || !m.Earliest.IsZero() || !x.NextSwitch.IsZero() {
		t.Fatalf("move %+v, next switch %s: want 2 rounds and no time", m, x.NextSwitch)
	}
}

func TestExplainPin(t *testing.T) {
	clock := &fixedClock{now: t0}
	e := NewEngine([]Service{webService(1, 1)}, nil, WithClock(clock.Now))
	until := t0.Add(time.Hour + 5*time.Second) // between two rounds
	if err := e.Pin("web", "backup", until, "disk swap"); err != nil {
		t.Fatal(err)
	}
	x, err := e.Explain("web", t0.Add(time.Minute), every10s)
	if err != nil {
		t.Fatal(err)
	}
	if x.Pin == nil || !strings.Contains(x.Now, "pinned to backup by operator until 2026-11-22T11:00:05Z: disk swap") {
		t.Fatalf("pin %+v, now %q", x.Pin, x.Now)
	}
	// The pin is let go by the first round at or after its end.
	m := only(t, x)
	if want := t0.Add(time.Hour + 10*time.Second); m.To != "main" || !m.Earliest.Equal(want) || m.Rounds != 0 {
		t.Fatalf("move %+v, want to main at %s, the first round after the pin ends", m, want)
	}
	if x, _ := e.Explain("web", t0.Add(time.Minute), nil); !only(t, x).Earliest.Equal(until) {
		t.Errorf("without a schedule the earliest is the pin's end: %+v", x.Next)
	}

	if err := e.Pin("web", "backup", time.Time{}, ""); err != nil {
		t.Fatal(err)
	}
	x, _ = e.Explain("web", t0.Add(time.Minute), every10s)
	if m := only(t, x); !m.Earliest.IsZero() || !strings.Contains(m.If, "zonerw unpin web") || !x.NextSwitch.IsZero() {
		t.Fatalf("move %+v next %s, want only an unpin", m, x.NextSwitch)
	}
}

func TestExplainFlapGovernor(t *testing.T) {
	svc := flappyService(1, time.Hour, FlapReleaseAuto)
	// The first switch uses the budget; the failback the probes then ask
	// for would be held.
	x, _ := explainAt(t, svc, "-+")
	if x.Governor == nil || x.Governor.Used != 1 || !x.Governor.FreeAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("governor %+v", x.Governor)
	}
	m := only(t, x)
	if m.To != "main" || !m.Held || !x.NextSwitch.IsZero() {
		t.Fatalf("move %+v next %s: want a held failback and no next switch", m, x.NextSwitch)
	}

	// Once held, the hold itself is explained: unpin, or steady for an hour.
	x, _ = explainAt(t, svc, "-+", "++")
	if x.Hold == nil || !strings.HasPrefix(x.Now, "flapping: 1 switches within 1h0m0s; held on backup") {
		t.Fatalf("hold %+v now %q", x.Hold, x.Now)
	}
	if len(x.Next) != 2 {
		t.Fatalf("moves %+v, want the release and an unpin", x.Next)
	}
	release := x.Next[0]
	if release.To != "main" || !release.Earliest.Equal(t0.Add(10*time.Second+time.Hour)) || release.Held {
		t.Errorf("release %+v, want to main at %s", release, t0.Add(10*time.Second+time.Hour))
	}
	if !x.NextSwitch.Equal(release.Earliest) || !strings.Contains(x.Next[1].If, "zonerw unpin web") {
		t.Errorf("next switch %s, moves %+v", x.NextSwitch, x.Next)
	}
}

func TestExplainAllDown(t *testing.T) {
	svc := webService(2, 1)
	svc.AllDown = AllDownAll
	x, _ := explainAt(t, svc, "--", "+-")
	if !strings.Contains(x.Now, "every target is down; the all-down policy serves all of them") || len(x.Serving) != 2 {
		t.Fatalf("now %q serving %v", x.Now, x.Serving)
	}
	// Main needs one more success, backup two.
	if len(x.Next) != 2 || x.Next[0].To != "main" || x.Next[0].Rounds != 1 || x.Next[1].To != "backup" || x.Next[1].Rounds != 2 {
		t.Fatalf("moves %+v", x.Next)
	}
}

func TestRecentProbesAreBoundedAndMarkIsolation(t *testing.T) {
	svc := webService(1, 1)
	e := NewEngine([]Service{svc}, nil)
	for i := range RecentProbes + 3 {
		at := t0.Add(time.Duration(i) * time.Second)
		e.Apply(Round{At: at, Observations: results(svc, "++", at)})
	}
	at := t0.Add(time.Minute)
	e.Apply(Round{At: at, Observations: results(svc, "-+", at),
		Witnesses: []Observation{{Target: "w1", OK: false, Reason: "timeout", At: at}}})
	rec := e.State()["web"].Targets["main"].Recent
	if len(rec) != RecentProbes {
		t.Fatalf("%d recent probes, want %d", len(rec), RecentProbes)
	}
	if !rec[0].At.Equal(t0.Add(4*time.Second)) || !rec[len(rec)-1].NotCounted || rec[len(rec)-1].OK || rec[len(rec)-2].NotCounted {
		t.Fatalf("recent probes %+v: want the oldest dropped and the isolated failure marked not counted", rec)
	}
}

func TestExplainUnknownService(t *testing.T) {
	e := NewEngine([]Service{webService(1, 1)}, nil)
	if _, err := e.Explain("mail", t0, nil); err == nil || !strings.Contains(err.Error(), "mail: no such service") {
		t.Fatalf("err %v", err)
	}
}

func TestLoopNextRoundFollowsTheShiftedSchedule(t *testing.T) {
	svcs := []Service{webService(1, 1), {Name: "mail", Targets: []string{"main", "backup"}, Rise: 1, Fall: 1}}
	jobs := []Job{
		{Service: "web", Spec: "*/5 * * * *", Timeout: time.Second},
		{Service: "mail", Spec: "*/5 * * * *", Timeout: time.Second},
	}
	l, err := NewLoop(LoopConfig{Engine: NewEngine(svcs, nil), Jobs: jobs, Publisher: &publisher{},
		Jitter: 2 * time.Second, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	// The second of two services fires 2s/2 after each time of the spec.
	for _, c := range []struct {
		service string
		want    time.Time
	}{
		{"web", t0.Add(5 * time.Minute)},
		{"mail", t0.Add(time.Second)},
	} {
		if got := l.NextRound(c.service)(t0); !got.Equal(c.want) {
			t.Errorf("NextRound(%s)(%s) = %s, want %s", c.service, t0, got, c.want)
		}
	}
	if l.NextRound("dns") != nil {
		t.Error("a schedule for a service the loop does not run")
	}
}

// TestLoopNextRoundFollowsTheRunningEvery: an "@every" schedule counts from
// when the loop started, so the rounds NextRound gives are the ones the
// loop then runs, whatever time it is asked about.
func TestLoopNextRoundFollowsTheRunningEvery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(map[string]bool{"web/main": true, "web/backup": true})
		job := w.job("web")
		job.Spec = "@every 4s"
		l := newTestLoop(t, LoopConfig{Engine: NewEngine([]Service{webService(1, 1)}, nil), Jobs: []Job{job}, Publisher: &publisher{}})
		time.Sleep(1300 * time.Millisecond) // start off the second
		start := time.Now()
		running(t, l)
		time.Sleep(5300 * time.Millisecond)
		synctest.Wait()
		next := l.NextRound("web")
		calls := w.callsTo("web/main")
		if len(calls) != 1 {
			t.Fatalf("%d rounds by %s, want 1", len(calls), time.Since(start))
		}
		// Rounds fall every 4s from the first; asked now, and asked about
		// a time past the next round, NextRound lands on that grid.
		now := time.Now()
		for _, ask := range []time.Time{now, now.Add(3 * time.Second), now.Add(41 * time.Second)} {
			got := next(ask)
			if off := got.Sub(calls[0]) % (4 * time.Second); off != 0 || !got.After(ask) || got.Sub(ask) > 4*time.Second {
				t.Errorf("NextRound(%s) = %s: not the first round after it on the grid of %s every 4s", ask, got, calls[0])
			}
		}
		time.Sleep(next(now).Sub(now))
		synctest.Wait()
		if calls := w.callsTo("web/main"); len(calls) != 2 || !calls[1].Equal(next(now)) {
			t.Fatalf("the second round came at %v, NextRound said %s", calls, next(now))
		}
	})
}

func TestExplainSaysTheCheckerIsCutOff(t *testing.T) {
	svc := webService(1, 1)
	e := NewEngine([]Service{svc}, nil)
	e.Apply(Round{At: t0, Observations: results(svc, "-+", t0), Witnesses: []Observation{{Target: "gw", Reason: "timeout", At: t0}}})
	x, err := e.Explain("web", t0, every10s)
	if err != nil {
		t.Fatal(err)
	}
	if !x.IsolatedSince.Equal(t0) || !strings.Contains(x.Now, "the checker looks cut off since 2026-11-22T10:00:00Z") {
		t.Fatalf("isolated since %s, now %q", x.IsolatedSince, x.Now)
	}
	if r := x.Targets[0].Recent; len(r) != 1 || !r[0].NotCounted {
		t.Fatalf("main's recent probes %+v: want the failure marked not counted", r)
	}
}

// TestExplainFailbackMatchesTheEngine: in the daemon a round's time is
// taken after its probes, a little after the round was due. The failback
// Explain predicts for a target waiting out its delay is the round the
// engine then really moves in, not one later.
func TestExplainFailbackMatchesTheEngine(t *testing.T) {
	svc := webService(1, 1)
	svc.FailbackDelay = time.Minute
	e := NewEngine([]Service{svc}, nil)
	probeTakes := 400 * time.Millisecond // longer than roundSlack
	round := func(due time.Time, probe string) Outcome {
		obs := results(svc, probe, due.Add(probeTakes))
		for i := range obs {
			obs[i].Latency = probeTakes
		}
		return e.Apply(Round{At: due.Add(probeTakes + 10*time.Millisecond), Observations: obs})
	}
	round(t0, "-+")                     // to backup
	round(t0.Add(10*time.Second), "++") // main up again, waits a minute
	now := t0.Add(10*time.Second + probeTakes + 10*time.Millisecond)
	x, err := e.Explain("web", now, every10s)
	if err != nil {
		t.Fatal(err)
	}
	back := x.Next[len(x.Next)-1]
	if want := t0.Add(70 * time.Second); back.To != "main" || !back.Earliest.Equal(want) {
		t.Fatalf("failback %+v, want at the round due %s", back, want)
	}
	for due := t0.Add(20 * time.Second); due.Before(back.Earliest); due = due.Add(10 * time.Second) {
		if out := round(due, "++"); len(out.Decisions) != 0 {
			t.Fatalf("moved at %s, before the predicted %s", due, back.Earliest)
		}
	}
	if out := round(back.Earliest, "++"); len(out.Decisions) != 1 || out.Decisions[0].To != "main" {
		t.Fatalf("no failback in the round Explain predicted: %+v", out)
	}
}
