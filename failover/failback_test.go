package failover

import (
	"testing"
	"time"
)

func TestFailbackDelay(t *testing.T) {
	m := time.Minute
	tests := []struct {
		name  string
		rise  int
		delay time.Duration
		ticks []tick
	}{
		{
			name: "zero delay fails back at once", rise: 1,
			ticks: []tick{
				{at: 0, probe: "-+", want: "backup", moves: true},
				{at: 1 * m, probe: "++", want: "main", moves: true},
			},
		},
		{
			name: "main must be up for the delay", rise: 1, delay: 5 * m,
			ticks: []tick{
				{at: 0, probe: "-+", want: "backup", moves: true},
				{at: 1 * m, probe: "++", want: "backup"}, // up since 1m
				{at: 5 * m, probe: "++", want: "backup"}, // up 4m
				{at: 6 * m, probe: "++", want: "main", moves: true},
			},
		},
		{
			name: "the delay counts from when rise is met", rise: 2, delay: 5 * m,
			ticks: []tick{
				{at: 0, probe: "-+", want: "backup", moves: true},
				{at: 1 * m, probe: "++", want: "backup"}, // one success of two
				{at: 2 * m, probe: "++", want: "backup"}, // rise met: up since 2m
				{at: 6 * m, probe: "++", want: "backup"},
				{at: 7 * m, probe: "++", want: "main", moves: true},
			},
		},
		{
			name: "a failure during the delay starts it again", rise: 1, delay: 5 * m,
			ticks: []tick{
				{at: 0, probe: "-+", want: "backup", moves: true},
				{at: 1 * m, probe: "++", want: "backup"},
				{at: 3 * m, probe: "-+", want: "backup"},
				{at: 4 * m, probe: "++", want: "backup"}, // up since 4m
				{at: 8 * m, probe: "++", want: "backup"},
				{at: 9 * m, probe: "++", want: "main", moves: true},
			},
		},
		{
			name: "no delay when the current target is down", rise: 1, delay: 5 * m,
			ticks: []tick{
				{at: 0, probe: "-+", want: "backup", moves: true},
				{at: 1 * m, probe: "++", want: "backup"},
				{at: 2 * m, probe: "+-", want: "main", moves: true},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svc := webService(tc.rise, 1)
			svc.FailbackDelay = tc.delay
			play(t, NewEngine([]Service{svc}, nil), svc, tc.ticks)
		})
	}
}

func TestFailbackReasonNamesTheDelay(t *testing.T) {
	svc := webService(1, 1)
	svc.FailbackDelay = 5 * time.Minute
	e := NewEngine([]Service{svc}, nil)
	e.Observe(results(svc, "-+", t0))
	e.Observe(results(svc, "++", t0.Add(time.Minute)))
	ds := e.Observe(results(svc, "++", t0.Add(7*time.Minute)))
	want := "web: backup -> main (main up after 2 consecutive successes, up for 6m0s (failback delay 5m0s))"
	if len(ds) != 1 || ds[0].String() != want {
		t.Fatalf("decisions %v\nwant %q", ds, want)
	}
}
