package alert

import (
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	iso := Event{Kind: Isolated, Service: "web"}
	steps := []struct {
		name  string
		ev    Event
		after time.Duration
		want  bool
	}{
		{"first isolation goes out", iso, 0, true},
		{"repeat inside the window is held", iso, 10 * time.Minute, false},
		{"another service is its own subject", Event{Kind: Isolated, Service: "mail"}, 10 * time.Minute, true},
		{"a switch always goes out", Event{Kind: Switch, Service: "web"}, 11 * time.Minute, true},
		{"so does a second switch", Event{Kind: Switch, Service: "web"}, 11 * time.Minute, true},
		{"a reminder once the window has passed", iso, 61 * time.Minute, true},
		{"zone publish failing", Event{Kind: PublishFailing, Zone: "example.com."}, 62 * time.Minute, true},
		{"provider publish failing is another subject", Event{Kind: PublishFailing, Provider: "cf"}, 62 * time.Minute, true},
		{"zone repeat held", Event{Kind: PublishFailing, Zone: "example.com."}, 63 * time.Minute, false},
		{"a drift goes out", Event{Kind: Drift, Provider: "cf", Record: "www.example.com. A"}, 63 * time.Minute, true},
		{"another record's drift is its own subject", Event{Kind: Drift, Provider: "cf", Record: "www.example.com. AAAA"}, 63 * time.Minute, true},
		{"the same drift at the next read-back is held", Event{Kind: Drift, Provider: "cf", Record: "www.example.com. A"}, 68 * time.Minute, false},
		{"and reminded after the hour", Event{Kind: Drift, Provider: "cf", Record: "www.example.com. A"}, 124 * time.Minute, true},
	}
	th := Throttle{Window: time.Hour}
	for _, s := range steps {
		if got := th.Allow(s.ev, t0.Add(s.after)); got != s.want {
			t.Errorf("%s: Allow = %v, want %v", s.name, got, s.want)
		}
	}
	th.Clear(Event{Kind: PublishFailing, Zone: "example.com."})
	if !th.Allow(Event{Kind: PublishFailing, Zone: "example.com."}, t0.Add(64*time.Minute)) {
		t.Error("after Clear, the next failure should alert at once")
	}
}
