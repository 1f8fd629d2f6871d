package metrics

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/zonerw/zonerw/failover"
)

// TestSwitchKindOfRealDecisions drives a real failover engine through
// every way a service moves and checks the kind each decision gets and
// that switches are counted under it.
func TestSwitchKindOfRealDecisions(t *testing.T) {
	svc := failover.Service{Name: "web", Targets: []string{"main", "backup"}, Rise: 1, Fall: 1, AllDown: failover.AllDownFirst}
	now := t0
	e := failover.NewEngine([]failover.Service{svc}, nil, failover.WithClock(func() time.Time { return now }))
	round := func(main, backup bool) failover.Outcome {
		now = now.Add(time.Second)
		return e.Apply(failover.Round{At: now, Observations: []failover.Observation{
			{Service: "web", Target: "main", OK: main, Reason: "probe", At: now},
			{Service: "web", Target: "backup", OK: backup, Reason: "probe", At: now},
		}})
	}
	pending := func(err error) failover.Outcome {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return e.Pending()
	}
	steps := []struct {
		name string
		do   func() failover.Outcome
		want string
	}{
		{"main fails", func() failover.Outcome { return round(false, true) }, "target_down"},
		{"main is back", func() failover.Outcome { return round(true, true) }, "failback"},
		{"operator pins", func() failover.Outcome { return pending(e.Pin("web", "backup", time.Time{}, "disk swap")) }, "pin"},
		{"operator unpins", func() failover.Outcome { return pending(e.Unpin("web")) }, "unpin"},
		{"pin ends", func() failover.Outcome {
			pending(e.Pin("web", "backup", now.Add(time.Second), "short"))
			return round(true, true)
		}, "pin_expired"},
		{"every target down", func() failover.Outcome {
			round(false, true)
			return round(false, false)
		}, "all_down"},
	}
	reg := prometheus.NewRegistry()
	m := New(reg, "test")
	for _, st := range steps {
		out := st.do()
		if len(out.Decisions) != 1 {
			t.Fatalf("%s: decisions %+v, want one", st.name, out.Decisions)
		}
		if got := string(out.Decisions[0].Kind); got != st.want {
			t.Errorf("%s: decision %q has kind %q, want %q", st.name, out.Decisions[0].Reason, got, st.want)
		}
		m.Record(out)
	}
	if got := testutil.ToFloat64(m.switches.WithLabelValues("web", "main", "backup", "pin")); got != 1 {
		t.Errorf("pin switches counted %v, want 1", got)
	}
}
