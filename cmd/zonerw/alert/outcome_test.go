package alert

import (
	"fmt"
	"testing"

	"github.com/zonerw/zonerw/failover"
)

func TestFromOutcome(t *testing.T) {
	out := failover.Outcome{
		Decisions: []failover.Decision{
			{Service: "web", From: "main", To: "backup", Serving: []string{"backup"}, Reason: "main down", At: t0},
			{Service: "mail", From: "a", To: "a", Serving: []string{"a", "b"}, Reason: "all targets down", At: t0},
		},
		Events: []failover.Event{
			{Kind: failover.EventAllDown, Service: "mail", Reason: "all 2 targets down", At: t0},
			{Kind: failover.EventIsolated, Service: "web", Reason: "witnesses failed", At: t0},
			{Kind: failover.EventFlapHeld, Service: "web", Target: "main", Reason: "flapping", At: t0},
			{Kind: failover.EventPinned, Service: "web", Target: "main", Reason: "by operator", At: t0},
			{Kind: failover.EventFlapReleased, Service: "web", Reason: "steady", At: t0},
		},
	}
	want := []string{
		"switch web main->backup: main down",
		"switch mail a->all of a,b: all targets down",
		"all_down mail ->: all 2 targets down",
		"isolated web ->: witnesses failed",
		"flap_held web ->: flapping",
	}
	got := FromOutcome(out)
	if len(got) != len(want) {
		t.Fatalf("got %d alerts %+v, want %d", len(got), got, len(want))
	}
	for i, ev := range got {
		if s := fmt.Sprintf("%s %s %s->%s: %s", ev.Kind, ev.Service, ev.From, ev.To, ev.Reason); s != want[i] || !ev.At.Equal(t0) {
			t.Errorf("alert %d: %q at %s, want %q", i, s, ev.At, want[i])
		}
	}
}

// TestFromOutcomePoolsAndDrills: a pool's change is one pool_changed
// alert; a drill's own moves are not alerted, its end is with its
// outcome, and a drill cut short by a real failure alerts the switch.
func TestFromOutcomePoolsAndDrills(t *testing.T) {
	out := failover.Outcome{
		Decisions: []failover.Decision{
			{Service: "pool", To: "a", Serving: []string{"a", "c"}, Pool: true, Left: []string{"b"}, Reason: "b left", At: t0},
			{Service: "web", From: "main", To: "backup", Kind: failover.DecisionDrill, Reason: "drill", At: t0},
			{Service: "web", From: "backup", To: "main", Kind: failover.DecisionDrillEnd, Reason: "drill ended", At: t0},
			{Service: "mail", From: "backup", To: "main", Kind: failover.DecisionDrillEnd, Reason: "backup went down", At: t0},
		},
		Events: []failover.Event{
			{Kind: failover.EventDrillAborted, Service: "mail", Reason: "backup went down", At: t0},
			{Kind: failover.EventDrillFinished, Service: "web", Reason: "backup answered all 12 probes", At: t0,
				Drill: &failover.DrillReport{Result: failover.DrillPassed}},
			{Kind: failover.EventDrillFinished, Service: "mail", Reason: "backup went down", At: t0,
				Drill: &failover.DrillReport{Result: failover.DrillAborted}},
			{Kind: failover.EventDrillSkipped, Service: "dns", Reason: "its next target is down", At: t0},
		},
	}
	want := []string{
		"zonerw: pool pool now serves a,c (b left)",
		"zonerw: mail switched from backup to main (backup went down)",
		"zonerw: failover drill of web passed (backup answered all 12 probes)",
		"zonerw: failover drill of mail did not pass (backup went down)",
		"zonerw: scheduled failover drill of dns skipped (its next target is down)",
	}
	got := FromOutcome(out)
	if len(got) != len(want) {
		t.Fatalf("got %d alerts %+v, want %d", len(got), got, len(want))
	}
	for i, ev := range got {
		if s := ev.Text(); s != want[i] {
			t.Errorf("alert %d: %q, want %q", i, s, want[i])
		}
	}
}
