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
