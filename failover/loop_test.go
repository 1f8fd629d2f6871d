package failover

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/zonerw/zonerw/probe"
)

// Every test here runs in a synctest bubble: time is fake, so "@every 1s"
// costs no real second, and synctest.Test fails if any goroutine the loop
// started is still there when the test function returns.

func newTestLoop(t *testing.T, cfg LoopConfig) *Loop {
	t.Helper()
	cfg.Location = time.UTC
	if cfg.Jitter == 0 {
		cfg.Jitter = 50 * time.Millisecond
	}
	l, err := NewLoop(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLoopPublishesEachRoundAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(map[string]bool{"web/main": true, "web/backup": true, "mail/main": true, "mail/backup": true})
		pub := &publisher{}
		l := newTestLoop(t, LoopConfig{Engine: twoServices(), Jobs: []Job{w.job("web"), w.job("mail")}, Publisher: pub})
		stop := running(t, l)
		time.Sleep(500 * time.Millisecond)
		w.set("web/main", false)
		w.set("mail/main", false)
		time.Sleep(time.Second) // web checks at 1s, mail at 1.025s
		synctest.Wait()
		snaps := pub.published()
		if len(snaps) != 2 || len(snaps[0].Decisions) != 1 || len(snaps[1].Decisions) != 1 {
			t.Fatalf("snapshots %+v, want one per round, each with its decision", snaps)
		}
		// No wait: each is published at the moment its round is decided.
		for i, want := range []time.Time{time.Date(2000, 1, 1, 0, 0, 1, 0, time.UTC), time.Date(2000, 1, 1, 0, 0, 1, 25e6, time.UTC)} {
			if at := snaps[i].At; !at.Equal(want) {
				t.Errorf("publish %d at %v, want %v", i, at, want)
			}
		}
		stop()
	})
}

func TestLoopCoalescesDecisionsWhenAsked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(map[string]bool{"web/main": true, "web/backup": true, "mail/main": true, "mail/backup": true})
		pub := &publisher{}
		l := newTestLoop(t, LoopConfig{Engine: twoServices(), Jobs: []Job{w.job("web"), w.job("mail")}, Publisher: pub, Coalesce: 100 * time.Millisecond})
		stop := running(t, l)
		time.Sleep(500 * time.Millisecond)
		w.set("web/main", false)
		w.set("mail/main", false)
		time.Sleep(time.Second)
		synctest.Wait()
		snaps := pub.published()
		if len(snaps) != 1 || len(snaps[0].Decisions) != 2 {
			t.Fatalf("snapshots %+v, want one with both decisions", snaps)
		}
		want := map[string][]string{"web": {"backup"}, "mail": {"backup"}}
		if got := snaps[0].Active; len(got) != 2 || !slices.Equal(got["web"], want["web"]) || !slices.Equal(got["mail"], want["mail"]) {
			t.Fatalf("active %v", got)
		}
		// Published once the window after the first decision closed.
		if at := snaps[0].At; !at.Equal(time.Date(2000, 1, 1, 0, 0, 1, 100e6, time.UTC)) {
			t.Fatalf("published at %v", at)
		}
		stop()
	})
}

func TestLoopSpreadsServicesWithJitter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(map[string]bool{})
		l := newTestLoop(t, LoopConfig{Engine: twoServices(), Jobs: []Job{w.job("web"), w.job("mail")},
			Publisher: &publisher{}, Jitter: 400 * time.Millisecond})
		start := time.Now()
		stop := running(t, l)
		time.Sleep(2500 * time.Millisecond)
		stop()
		web, mail := w.callsTo("web/main"), w.callsTo("mail/main")
		wantWeb := []time.Time{start.Add(1 * time.Second), start.Add(2 * time.Second)}
		// The i-th of n services runs i*Jitter/n after each time of its
		// schedule: mail's "@every 1s" runs at .2s, 1.2s, 2.2s.
		wantMail := []time.Time{start.Add(200 * time.Millisecond), start.Add(1200 * time.Millisecond), start.Add(2200 * time.Millisecond)}
		if !slices.EqualFunc(web, wantWeb, time.Time.Equal) || !slices.EqualFunc(mail, wantMail, time.Time.Equal) {
			t.Fatalf("web checked at %v, want %v; mail at %v, want %v", web, wantWeb, mail, wantMail)
		}
	})
}

func TestLoopBoundsEveryCheckByItsTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var took []time.Duration
		hang := Check{Name: "main", Run: func(ctx context.Context) probe.Result {
			start := time.Now()
			<-ctx.Done()
			took = append(took, time.Since(start))
			return probe.Result{Reason: "timeout after 300ms"}
		}}
		w := newWorld(map[string]bool{"web/backup": true})
		e := NewEngine([]Service{webService(1, 1)}, nil)
		pub := &publisher{}
		l := newTestLoop(t, LoopConfig{Engine: e, Publisher: pub,
			Jobs: []Job{{Service: "web", Spec: "@every 1s", Timeout: 300 * time.Millisecond, Targets: []Check{hang, w.check("web", "backup")}}}})
		stop := running(t, l)
		time.Sleep(1500 * time.Millisecond)
		stop()
		if !slices.Equal(took, []time.Duration{300 * time.Millisecond}) {
			t.Fatalf("hanging check ran for %v, want 300ms", took)
		}
		if snaps := pub.published(); len(snaps) != 1 || snaps[0].Decisions[0].Cause[0].Reason != "timeout after 300ms" {
			t.Fatalf("snapshots %+v", snaps)
		}
	})
}

func TestLoopShutdownAbandonsTheRoundInProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		started := make(chan struct{})
		hang := Check{Name: "main", Run: func(ctx context.Context) probe.Result {
			close(started)
			<-ctx.Done()
			return probe.Result{Reason: "canceled"}
		}}
		h := &logs{}
		e := NewEngine([]Service{webService(1, 1)}, nil)
		pub := &publisher{}
		l := newTestLoop(t, LoopConfig{Engine: e, Publisher: pub, Logger: slog.New(h),
			Jobs: []Job{{Service: "web", Spec: "@every 1s", Timeout: time.Minute, Targets: []Check{hang}}}})
		stop := running(t, l)
		<-started
		stop() // returns only once the round, the scheduler and the publisher are done
		if st := e.State()["web"].Targets["main"]; st.Failures != 0 || len(pub.published()) != 0 {
			t.Fatalf("a cancelled check was counted: %+v, %v", st, pub.published())
		}
		if _, _, ok := h.find("round abandoned at shutdown"); !ok {
			t.Fatal("abandoned round not logged")
		}
	})
}

func TestLoopPublishesPendingDecisionsAtShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(map[string]bool{"web/backup": true})
		pub := &publisher{}
		l := newTestLoop(t, LoopConfig{Engine: NewEngine([]Service{webService(1, 1)}, nil),
			Jobs: []Job{w.job("web")}, Publisher: pub, Coalesce: time.Hour})
		stop := running(t, l)
		time.Sleep(1100 * time.Millisecond)
		synctest.Wait()
		if n := len(pub.published()); n != 0 {
			t.Fatalf("published %d inside the window", n)
		}
		stop()
		if snaps := pub.published(); len(snaps) != 1 || snaps[0].Decisions[0].To != "backup" {
			t.Fatalf("snapshots at shutdown %+v", snaps)
		}
	})
}

func TestLoopRetriesAFailedPublish(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(map[string]bool{"web/backup": true})
		pub := &publisher{fail: 2}
		h := &logs{}
		l := newTestLoop(t, LoopConfig{Engine: NewEngine([]Service{webService(1, 1)}, nil), Logger: slog.New(h),
			Jobs: []Job{w.job("web")}, Publisher: pub, RetryDelay: 10 * time.Second})
		stop := running(t, l)
		time.Sleep(1150*time.Millisecond + 10*time.Second) // tries at 1.1s and 11.1s
		synctest.Wait()
		if n, tries := len(pub.published()), pub.attempts(); n != 0 || tries != 2 {
			t.Fatalf("published %d in %d tries before the second retry", n, tries)
		}
		time.Sleep(10 * time.Second)
		synctest.Wait()
		if snaps := pub.published(); len(snaps) != 1 || len(snaps[0].Decisions) != 1 {
			t.Fatalf("snapshots %+v", snaps)
		}
		stop()
		if attrs, lvl, ok := h.find("publish failed"); !ok || lvl != slog.LevelError || attrs["err"] != "zone write failed" {
			t.Fatalf("failure log %v %v %v", attrs, lvl, ok)
		}
	})
}

func TestLoopPinPublishes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(map[string]bool{"web/main": true, "web/backup": true})
		pub := &publisher{}
		rec := &recorder{}
		l := newTestLoop(t, LoopConfig{Engine: NewEngine([]Service{webService(1, 1)}, nil),
			Jobs: []Job{w.job("web")}, Publisher: pub, Recorder: rec})
		// A pin made before Run is published once it runs.
		if err := l.Pin("web", "backup", time.Now().Add(time.Hour), "maintenance"); err != nil {
			t.Fatal(err)
		}
		stop := running(t, l)
		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		if err := l.Unpin("web"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
		stop()
		snaps := pub.published()
		if len(snaps) != 2 || snaps[0].Decisions[0].To != "backup" || snaps[1].Decisions[0].To != "main" {
			t.Fatalf("snapshots %+v", snaps)
		}
		if got := kinds(rec.events()); !slices.Equal(got, []EventKind{EventPinned, EventUnpinned}) {
			t.Fatalf("recorded events %v", got)
		}
		if err := l.Pin("web", "nope", time.Time{}, ""); err == nil {
			t.Fatal("pin to an unknown target accepted")
		}
	})
}

// TestLoopChecksWitnessesBesideTheTargets: the witnesses are checked in
// every round at the moment the targets are, not after them.
func TestLoopChecksWitnessesBesideTheTargets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(map[string]bool{"web/main": true, "web/backup": true})
		rec := &recorder{}
		e := NewEngine([]Service{webService(1, 1)}, nil)
		l := newTestLoop(t, LoopConfig{Engine: e, Jobs: []Job{w.job("web")}, Publisher: &publisher{}, Recorder: rec,
			Witnesses: []Check{w.check("", "resolver")}})
		stop := running(t, l)
		time.Sleep(1500 * time.Millisecond)
		synctest.Wait()
		w.set("web/main", false) // and the witness is down: the checker is cut off
		time.Sleep(time.Second)
		stop()
		wit, main := w.callsTo("/resolver"), w.callsTo("web/main")
		if len(wit) != 2 || !slices.EqualFunc(wit, main, time.Time.Equal) {
			t.Fatalf("witness checked at %v, main at %v: want both in every round, at once", wit, main)
		}
		evs := rec.events()
		if len(evs) != 1 || evs[0].Kind != EventIsolated || e.Active()["web"] != "main" {
			t.Fatalf("events %v, active %q", evs, e.Active()["web"])
		}
	})
}

func TestLoopSurvivesAPanickingCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := Check{Name: "main", Run: func(context.Context) probe.Result { panic("boom") }}
		w := newWorld(map[string]bool{"web/backup": true})
		h := &logs{}
		e := NewEngine([]Service{webService(1, 1)}, nil)
		l := newTestLoop(t, LoopConfig{Engine: e, Publisher: &publisher{}, Logger: slog.New(h),
			Jobs: []Job{{Service: "web", Spec: "@every 1s", Timeout: time.Second, Targets: []Check{boom, w.check("web", "backup")}}}})
		stop := running(t, l)
		time.Sleep(2600 * time.Millisecond)
		stop()
		if st := e.State()["web"].Targets["main"]; st.LastReason != "check panicked: boom" || st.Failures != 2 {
			t.Fatalf("main = %+v", st)
		}
		if attrs, _, ok := h.find("switch"); !ok || attrs["service"] != "web" || !strings.Contains(attrs["reason"], "panicked") {
			t.Fatalf("switch log %v", attrs)
		}
	})
}

func TestNewLoopRejectsBadConfig(t *testing.T) {
	e := NewEngine([]Service{webService(1, 1)}, nil)
	good := Job{Service: "web", Spec: "@every 2s", Timeout: time.Second}
	tests := []struct {
		name string
		cfg  LoopConfig
		want string
	}{
		{"no publisher", LoopConfig{Engine: e, Jobs: []Job{good}}, "failover loop: engine and publisher are required"},
		{"bad spec", LoopConfig{Engine: e, Publisher: &publisher{}, Jobs: []Job{{Service: "web", Spec: "every 2s", Timeout: time.Second}}},
			`failover loop: service web: schedule "every 2s": expected exactly 5 fields, found 2: [every 2s]`},
		{"no timeout", LoopConfig{Engine: e, Publisher: &publisher{}, Jobs: []Job{{Service: "web", Spec: "*/5 * * * *"}}},
			"failover loop: service web: check timeout 0s must be positive"},
		{"unknown target", LoopConfig{Engine: e, Publisher: &publisher{}, Jobs: []Job{{Service: "web", Spec: "@every 2s", Timeout: time.Second, Targets: []Check{{Name: "spare"}}}}},
			`failover loop: service web: target "spare" not known to the engine`},
		{"unknown service", LoopConfig{Engine: e, Publisher: &publisher{}, Jobs: []Job{{Service: "mail", Spec: "@every 2s", Timeout: time.Second}}},
			"failover loop: service mail: not known to the engine"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewLoop(tc.cfg)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("err = %v\nwant %s", err, tc.want)
			}
		})
	}
}
