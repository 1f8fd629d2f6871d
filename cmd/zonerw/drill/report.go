package drill

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/view"
	"github.com/zonerw/zonerw/failover"
)

// run gathers what a drill found, for its report.
type run struct {
	service string
	pin     failover.Pin      // the drill's pin as it began
	end     failover.DrillEnd // how it ended, with the probe counts
	ended   bool              // the engine knew the drill to its end
	endAt   time.Time         // when the service was handed back
	stopped bool              // zonerw serve stopped during it
	rows    []failover.DrillFollow
}

// add records how the destinations followed, there or back; a
// destination seen both ways gets one row.
func (r *run) add(dests []dest, fs []followed, there bool) {
	for i, dd := range dests {
		j := slices.IndexFunc(r.rows, func(f failover.DrillFollow) bool { return f.Destination == dd.name })
		if j < 0 {
			r.rows = append(r.rows, failover.DrillFollow{Destination: dd.name})
			j = len(r.rows) - 1
		}
		row, f := &r.rows[j], fs[i]
		if there {
			row.There = durationIf(f)
		} else {
			row.Back = durationIf(f)
		}
		if f.problem != "" {
			way := "back"
			if there {
				way = "there"
			}
			row.Error = strings.TrimPrefix(row.Error+"; "+way+": "+f.problem, "; ")
		}
	}
}

func durationIf(f followed) time.Duration {
	if f.problem != "" {
		return 0
	}
	return f.took
}

// report is the drill's outcome: aborted when something ended it early;
// failed when its target failed a probe or none ran, or a destination
// did not follow; else passed.
func (r *run) report() failover.DrillReport {
	p := r.end.Pin
	if !r.ended {
		p = r.pin
	}
	rep := failover.DrillReport{Service: r.service, From: r.pin.From, Target: r.pin.Target, Start: r.pin.Since, End: r.endAt,
		For: r.pin.Until.Sub(r.pin.Since), Probes: p.Probes, ProbesFailed: p.ProbesFailed, Follow: r.rows}
	var problems []string
	for _, f := range r.rows {
		if f.Error != "" {
			problems = append(problems, f.Destination+" "+f.Error)
		}
	}
	switch {
	case !r.ended:
		rep.Result, rep.Reason = failover.DrillAborted, "the drill's pin was gone (a reload changed the service?); the rules decide again"
	case r.end.Aborted:
		rep.Result, rep.Reason = failover.DrillAborted, r.end.Why
	case r.stopped:
		rep.Result, rep.Reason = failover.DrillAborted, "zonerw serve stopped during the drill; the service was handed back"
	case p.Probes == 0:
		rep.Result = failover.DrillFailed
		rep.Reason = fmt.Sprintf("no probe of %s ran during the drill: make it longer than the probe interval", p.Target)
	case p.ProbesFailed > 0:
		rep.Result = failover.DrillFailed
		rep.Reason = fmt.Sprintf("%s failed %d of %d probes during the drill", p.Target, p.ProbesFailed, p.Probes)
	case len(problems) > 0:
		rep.Result, rep.Reason = failover.DrillFailed, strings.Join(problems, "; ")
	default:
		rep.Result, rep.Reason = failover.DrillPassed, passedText(p, r.rows)
	}
	if rep.Result != failover.DrillPassed && len(problems) > 0 && rep.Reason != strings.Join(problems, "; ") {
		rep.Reason += "; " + strings.Join(problems, "; ")
	}
	return rep
}

// passedText says what a drill that passed saw: the probes, and the
// slowest destination each way.
func passedText(p failover.Pin, rows []failover.DrillFollow) string {
	s := fmt.Sprintf("%s answered all %d probes", p.Target, p.Probes)
	if len(rows) == 0 {
		return s + "; no destination carries the service"
	}
	there, back := slowest(rows, func(f failover.DrillFollow) time.Duration { return f.There }),
		slowest(rows, func(f failover.DrillFollow) time.Duration { return f.Back })
	return fmt.Sprintf("%s; %d destination(s) followed there (slowest %s, %s) and back (slowest %s, %s)",
		s, len(rows), there.Destination, view.Latency(there.There), back.Destination, view.Latency(back.Back))
}

func slowest(rows []failover.DrillFollow, took func(failover.DrillFollow) time.Duration) failover.DrillFollow {
	return slices.MaxFunc(rows, func(a, b failover.DrillFollow) int { return cmp.Compare(took(a), took(b)) })
}
