package failover

import (
	"slices"
	"sync"
	"time"
)

// witnessLog keeps the recent witness results of every service's rounds,
// each with the time its probe ran, so that a target's failure is judged
// by every witness probe that ran while the target's did: a cut that ends
// while a target's probe is still waiting out its timeout has already
// failed the witnesses probed beside it.
type witnessLog struct {
	mu   sync.Mutex
	keep time.Duration // how long a result is kept after its probe ended
	runs []witnessRun
}

type witnessRun struct {
	start, end time.Time
	obs        Observation
}

// add keeps the results of the witnesses probed from start to end and
// forgets those too old to overlap a probe still running.
func (w *witnessLog) add(start, end time.Time, obs []Observation) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.runs = slices.DeleteFunc(w.runs, func(r witnessRun) bool { return end.Sub(r.end) > w.keep })
	for _, o := range obs {
		w.runs = append(w.runs, witnessRun{start: start, end: end, obs: o})
	}
}

// judge returns each witness's result as the isolation guard is to take it
// for probes that ran from start to end: a failure of that witness in any
// probe that overlapped them, else its own result in obs.
func (w *witnessLog) judge(start, end time.Time, obs []Observation) []Observation {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := slices.Clone(obs)
	for i, o := range out {
		if !o.OK {
			continue
		}
		for _, r := range w.runs {
			if r.obs.Target == o.Target && !r.obs.OK && !r.start.After(end) && !r.end.Before(start) {
				out[i] = r.obs
				break
			}
		}
	}
	return out
}
