package drill

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/failover"
)

// TestWaitFollow: a destination that holds the change is timed from
// since; one that never does is named with what kept it, once the
// deadline passes; shutdown cuts the wait short.
func TestWaitFollow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		since := time.Now()
		var polls int
		dests := []dest{
			{name: "secondary 127.0.0.2:53 (example.com)", state: func() (time.Time, bool, string) {
				if polls++; polls < 3 {
					return time.Time{}, false, "at serial 6, want 7"
				}
				return since.Add(35 * time.Millisecond), true, ""
			}},
			{name: "provider:cf", state: func() (time.Time, bool, string) { return time.Time{}, false, "HTTP 503" }},
		}
		got := waitFollow(context.Background(), dests, since, since.Add(time.Second))
		if got[0].took != 35*time.Millisecond || got[0].problem != "" {
			t.Errorf("secondary: %+v", got[0])
		}
		if got[1].took != 0 || got[1].problem != "did not follow within 1s: HTTP 503" {
			t.Errorf("provider: %+v", got[1])
		}
		if waited := time.Since(since); waited < time.Second || waited > time.Second+2*followPoll {
			t.Errorf("waited %s for a 1s deadline", waited)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		got = waitFollow(ctx, dests[1:], time.Now(), time.Now().Add(time.Hour))
		if got[0].problem != "not followed when zonerw serve stopped: HTTP 503" {
			t.Errorf("at shutdown: %+v", got[0])
		}
	})
}

func TestDrillReport(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 4, 0, 0, 0, time.UTC)
	pin := failover.Pin{Target: "backup", From: "main", Since: t0, Until: t0.Add(2 * time.Minute), Drill: true}
	ended := func(probes, failed int) failover.DrillEnd {
		p := pin
		p.Probes, p.ProbesFailed = probes, failed
		return failover.DrillEnd{Pin: p, At: pin.Until, Why: "drill on backup ended after 2m0s"}
	}
	sec := []dest{{name: "secondary 127.0.0.2:53 (example.com)"}, {name: "provider:cf"}}
	tests := []struct {
		name         string
		run          run
		there, back  []followed
		result       failover.DrillResult
		reason, rows string
	}{
		{"passed", run{end: ended(12, 0), ended: true},
			[]followed{{took: 12 * time.Millisecond}, {took: 300 * time.Millisecond}}, []followed{{took: 15 * time.Millisecond}, {took: 250 * time.Millisecond}},
			failover.DrillPassed, "backup answered all 12 probes; 2 destination(s) followed there (slowest provider:cf, 300ms) and back (slowest provider:cf, 250ms)",
			"secondary 127.0.0.2:53 (example.com) 12ms 15ms ; provider:cf 300ms 250ms ; "},
		{"a destination stuck", run{end: ended(12, 0), ended: true},
			[]followed{{took: 12 * time.Millisecond}, {problem: "did not follow within 2m0s: HTTP 503"}}, []followed{{took: 15 * time.Millisecond}, {took: 250 * time.Millisecond}},
			failover.DrillFailed, "provider:cf there: did not follow within 2m0s: HTTP 503",
			"secondary 127.0.0.2:53 (example.com) 12ms 15ms ; provider:cf 0s 250ms there: did not follow within 2m0s: HTTP 503; "},
		{"a probe failed", run{end: ended(12, 1), ended: true},
			[]followed{{took: time.Millisecond}, {took: time.Millisecond}}, nil,
			failover.DrillFailed, "backup failed 1 of 12 probes during the drill", ""},
		{"no probe ran", run{end: ended(0, 0), ended: true}, nil, nil,
			failover.DrillFailed, "no probe of backup ran during the drill: make it longer than the probe interval", ""},
		{"a real failure", run{end: failover.DrillEnd{Pin: pin, Aborted: true, Why: "drill on backup ended early: backup went down (connect: connection refused); a real failure wins over the drill"}, ended: true},
			nil, nil, failover.DrillAborted, "drill on backup ended early: backup went down (connect: connection refused); a real failure wins over the drill", ""},
		{"shutdown", run{end: ended(3, 0), ended: true, stopped: true}, nil, nil,
			failover.DrillAborted, "zonerw serve stopped during the drill; the service was handed back", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.run
			r.service, r.pin, r.endAt = "web", pin, pin.Until
			if tc.there != nil {
				r.add(sec, tc.there, true)
			}
			if tc.back != nil {
				r.add(sec, tc.back, false)
			}
			rep := r.report()
			if rep.Result != tc.result || rep.Reason != tc.reason || rep.For != 2*time.Minute || rep.Target != "backup" || rep.From != "main" {
				t.Fatalf("report %+v\nwant %s: %s", rep, tc.result, tc.reason)
			}
			if tc.rows == "" {
				return
			}
			var rows strings.Builder
			for _, f := range rep.Follow {
				rows.WriteString(f.Destination + " " + f.There.String() + " " + f.Back.String() + " " + f.Error + "; ")
			}
			if rows.String() != tc.rows {
				t.Errorf("rows %q\nwant %q", rows.String(), tc.rows)
			}
		})
	}
}

// TestDrillSchedule: each service's drill comes at the times of its
// schedule; a reload that changes the schedule counts from then, one that
// removes the drill stops it.
func TestDrillSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var mu sync.Mutex
		spec := "@every 90s"
		var calls []string
		services := func() []config.Service {
			mu.Lock()
			defer mu.Unlock()
			svcs := []config.Service{{Name: "mail"}}
			if spec != "" {
				svcs = append(svcs, config.Service{Name: "web", Drill: &config.Drill{Every: spec, For: 2 * time.Minute}})
			}
			return svcs
		}
		due := func(service string, dur time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			calls = append(calls, fmt.Sprintf("%s %s for %s", time.Since(start), service, dur))
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			schedule(ctx, services, due)
		}()
		time.Sleep(200 * time.Second)
		mu.Lock()
		spec = "@every 10m"
		mu.Unlock()
		time.Sleep(15 * time.Minute)
		mu.Lock()
		spec = ""
		mu.Unlock()
		time.Sleep(time.Hour)
		cancel()
		<-done
		// 1m30s and 3m0s; the new spec (at 3m20s) is read at the next
		// wake-up, 4m0s (recheck after 3m0s), whence every 10m:
		// 14m0s; none once the drill is gone.
		want := []string{"1m30s web for 2m0s", "3m0s web for 2m0s", "14m0s web for 2m0s"}
		if !slices.Equal(calls, want) {
			t.Fatalf("drills at %v\nwant %v", calls, want)
		}
	})
}
