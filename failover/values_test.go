package failover

import (
	"encoding/json"
	"sync"
	"testing"
	"time"
)

// The audit log writes decisions as JSON lines: the shape is part of the API.
func TestDecisionJSONCarriesItsCause(t *testing.T) {
	svc := webService(1, 1)
	e := NewEngine([]Service{svc}, nil)
	obs := results(svc, "-+", t0)
	obs[0].Latency = 1500 * time.Millisecond
	ds := e.Observe(obs)
	b, err := json.Marshal(ds[0])
	if err != nil {
		t.Fatal(err)
	}
	want := `{"service":"web","from":"main","to":"backup","serving":["backup"],` +
		`"kind":"target_down","reason":"main down after 1 consecutive failures: connect: connection refused","at":"2026-11-22T10:00:00Z",` +
		`"cause":[{"service":"web","target":"main","ok":false,"reason":"connect: connection refused","latency_ns":1500000000,"at":"2026-11-22T10:00:00Z"},` +
		`{"service":"web","target":"backup","ok":true,"reason":"HTTP 200","at":"2026-11-22T10:00:00Z"}]}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}

// Rounds, pins and reads from many goroutines keep every service's history
// a chain: each decision starts where the one before it ended.
func TestEngineIsSafeForConcurrentUse(t *testing.T) {
	svc := webService(1, 1)
	e := NewEngine([]Service{svc}, nil, WithClock(func() time.Time { return t0 }))
	var (
		mu  sync.Mutex
		all []Decision
		wg  sync.WaitGroup
	)
	collect := func(ds []Decision) {
		mu.Lock()
		defer mu.Unlock()
		all = append(all, ds...)
	}
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				switch (g + i) % 4 {
				case 0:
					collect(e.Observe(results(svc, "-+", t0)))
				case 1:
					collect(e.Observe(results(svc, "++", t0)))
				case 2:
					_ = e.Pin("web", "backup", t0.Add(time.Hour), "")
					collect(e.Pending().Decisions)
				default:
					_ = e.Unpin("web")
					collect(e.Pending().Decisions)
					_ = e.State()
					_ = e.ActiveTargets()
				}
			}
		})
	}
	wg.Wait()
	collect(e.Pending().Decisions)
	if len(all) == 0 {
		t.Fatal("no decisions at all")
	}
	// Decisions were collected out of order across goroutines; sort them
	// back into a chain by following From -> To from the start.
	from := "main"
	left := all
	for len(left) > 0 {
		i := indexFrom(left, from)
		if i < 0 {
			t.Fatalf("no decision leaves %q; %d left: %v", from, len(left), left)
		}
		from = left[i].To
		left = append(left[:i:i], left[i+1:]...)
	}
	if from != e.Active()["web"] {
		t.Fatalf("chain ends on %q, engine is on %q", from, e.Active()["web"])
	}
}

func indexFrom(ds []Decision, from string) int {
	for i, d := range ds {
		if d.From == from {
			return i
		}
	}
	return -1
}
