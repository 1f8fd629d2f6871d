package failover

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPinHoldsAgainstProbesAndExpires(t *testing.T) {
	svc := webService(1, 1)
	clock := &fixedClock{now: t0}
	e := NewEngine([]Service{svc}, nil, WithClock(clock.Now))
	until := t0.Add(2 * time.Hour)
	if err := e.Pin("web", "backup", until, "kernel upgrade on main"); err != nil {
		t.Fatal(err)
	}
	out := e.Pending()
	want := "web: main -> backup (pinned to backup by operator until 2026-11-22T12:00:00Z: kernel upgrade on main)"
	if len(out.Decisions) != 1 || out.Decisions[0].String() != want || !slices.Equal(kinds(out.Events), []EventKind{EventPinned}) {
		t.Fatalf("pin outcome %+v\nwant %q", out, want)
	}
	// Probes do not move a pinned service, even when its target is down.
	for i, p := range []string{"++", "+-", "--", "+-"} {
		out := e.Apply(Round{Observations: results(svc, p, t0.Add(time.Duration(i+1)*time.Minute))})
		if len(out.Decisions) != 0 || e.Active()["web"] != "backup" {
			t.Fatalf("round %q moved a pinned service: %+v", p, out)
		}
	}
	// The pin is in State and survives a restart.
	e = NewEngine([]Service{svc}, e.State(), WithClock(clock.Now))
	if p := e.State()["web"].Pin; p == nil || p.Target != "backup" || !p.Until.Equal(until) || p.Reason != "kernel upgrade on main" {
		t.Fatalf("pin after restart = %+v", p)
	}
	// A round at the end time ends it; the rules apply at once.
	out = e.Apply(Round{Observations: results(svc, "+-", until)})
	if !slices.Equal(kinds(out.Events), []EventKind{EventPinExpired}) || len(out.Decisions) != 1 || out.Decisions[0].To != "main" {
		t.Fatalf("expiry outcome %+v", out)
	}
	if !strings.HasPrefix(out.Decisions[0].Reason, "pin on backup expired") || e.State()["web"].Pin != nil {
		t.Fatalf("decision %v, state %+v", out.Decisions[0], e.State()["web"])
	}
}

func TestPinExpiresInARoundWithoutProbes(t *testing.T) {
	svc := webService(1, 1)
	clock := &fixedClock{now: t0}
	e := NewEngine([]Service{svc}, nil, WithClock(clock.Now))
	if err := e.Pin("web", "backup", t0.Add(time.Hour), ""); err != nil {
		t.Fatal(err)
	}
	e.Pending()
	if out := e.Apply(Round{At: t0.Add(59 * time.Minute)}); !out.Empty() {
		t.Fatalf("before the end: %+v", out)
	}
	clock.now = t0.Add(time.Hour)
	out := e.Apply(Round{})
	if len(out.Decisions) != 1 || out.Decisions[0].To != "main" || e.Counts()[EventPinExpired] != 1 {
		t.Fatalf("at the end: %+v", out)
	}
}

func TestPinWithoutEndAndUnpin(t *testing.T) {
	svc := webService(1, 1)
	svc.FailbackDelay = time.Hour
	clock := &fixedClock{now: t0}
	e := NewEngine([]Service{svc}, nil, WithClock(clock.Now))
	if err := e.Pin("web", "main", time.Time{}, ""); err != nil {
		t.Fatal(err)
	}
	if out := e.Pending(); len(out.Decisions) != 0 || len(out.Events) != 1 {
		t.Fatalf("pinning the active target: %+v", out)
	}
	e.Apply(Round{Observations: results(svc, "-+", t0.Add(1000*time.Hour))})
	if e.Active()["web"] != "main" {
		t.Fatal("a pin without an end expired")
	}
	// Unpin hands the service back to the rules: main is down, so backup.
	clock.now = t0.Add(1001 * time.Hour)
	if err := e.Unpin("web"); err != nil {
		t.Fatal(err)
	}
	out := e.Pending()
	if len(out.Decisions) != 1 || out.Decisions[0].To != "backup" || !out.Decisions[0].At.Equal(clock.now) {
		t.Fatalf("unpin: %+v", out)
	}
	if !strings.HasPrefix(out.Decisions[0].Reason, "pin on main removed by operator; main down") {
		t.Fatalf("reason %q", out.Decisions[0].Reason)
	}
}

func TestPinErrors(t *testing.T) {
	clock := &fixedClock{now: t0}
	e := NewEngine([]Service{webService(1, 1)}, nil, WithClock(clock.Now))
	tests := []struct {
		service, target string
		until           time.Time
		want            string
	}{
		{"mail", "main", time.Time{}, "pin mail: no such service"},
		{"web", "spare", time.Time{}, `pin web: no target "spare" (targets: main, backup)`},
		{"web", "backup", t0, "pin web to backup: end time 2026-11-22T10:00:00Z is not in the future"},
	}
	for _, tc := range tests {
		err := e.Pin(tc.service, tc.target, tc.until, "")
		if err == nil || err.Error() != tc.want {
			t.Errorf("Pin(%s, %s) = %v, want %q", tc.service, tc.target, err, tc.want)
		}
	}
	if err := e.Unpin("mail"); err == nil || err.Error() != "unpin mail: no such service" {
		t.Errorf("Unpin(mail) = %v", err)
	}
	if err := e.Unpin("web"); !errors.Is(err, ErrNotPinned) {
		t.Errorf("Unpin(web) = %v, want ErrNotPinned", err)
	}
	if out := e.Pending(); !out.Empty() {
		t.Errorf("failed calls left an outcome: %+v", out)
	}
}

func TestPinOnARemovedTargetIsDropped(t *testing.T) {
	saved := State{"web": {Active: "spare", Targets: map[string]*TargetState{}, Pin: &Pin{Target: "spare", Since: t0}}}
	e := NewEngine([]Service{webService(1, 1)}, saved)
	if st := e.State()["web"]; st.Pin != nil || st.Active != "main" {
		t.Fatalf("state %+v", st)
	}
}

func TestPinEndsAFlapHold(t *testing.T) {
	svc := flappyService(1, time.Hour, FlapReleaseManual)
	e := NewEngine([]Service{svc}, nil, WithClock(func() time.Time { return t0.Add(time.Hour) }))
	e.Observe(results(svc, "-+", t0))
	e.Observe(results(svc, "++", t0.Add(time.Minute)))
	if e.State()["web"].Hold == nil {
		t.Fatal("not held")
	}
	if err := e.Pin("web", "main", time.Time{}, "main is fixed"); err != nil {
		t.Fatal(err)
	}
	if st := e.State()["web"]; st.Hold != nil || st.Active != "main" {
		t.Fatalf("state %+v", st)
	}
}
