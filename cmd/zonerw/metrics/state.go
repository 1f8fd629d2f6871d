package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/zonerw/zonerw/failover"
)

// stateCollector reads the failover engine's state at scrape time.
type stateCollector struct {
	state                    func() failover.State
	up, active, pinned, held *prometheus.Desc
	serving                  *prometheus.Desc
	drill                    drillDescs
}

// NewStateCollector exports each target's up state, the active target of
// each service (1 on every target it serves, 0 on the others) and whether
// the service is pinned or held by the flap governor, read from state at
// every scrape.
func NewStateCollector(state func() failover.State) prometheus.Collector {
	st := []string{"service", "target"}
	return &stateCollector{
		state: state,
		up: prometheus.NewDesc("zonerw_failover_target_up",
			"1 if the target counts as up after the rise/fall thresholds, else 0.", st, nil),
		active: prometheus.NewDesc("zonerw_failover_active_target",
			"1 on each target the service points at, 0 on its other targets.", st, nil),
		pinned: prometheus.NewDesc("zonerw_failover_pinned",
			"1 while an operator pin holds the service.", []string{"service"}, nil),
		held: prometheus.NewDesc("zonerw_failover_flap_held",
			"1 while the flap governor holds the service.", []string{"service"}, nil),
		serving: prometheus.NewDesc("zonerw_failover_serving_targets",
			"How many targets the service serves: 1, a pool's members, or all of them under all_down: all.", []string{"service"}, nil),
		drill: newDrillDescs(),
	}
}

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.up
	ch <- c.active
	ch <- c.pinned
	ch <- c.held
	ch <- c.serving
	c.drill.describe(ch)
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	for name, st := range c.state() {
		n := 0
		for tname, ts := range st.Targets {
			serving := st.Serves(tname)
			if serving {
				n++
			}
			ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, bool01(ts.Up), name, tname)
			ch <- prometheus.MustNewConstMetric(c.active, prometheus.GaugeValue, bool01(serving), name, tname)
		}
		ch <- prometheus.MustNewConstMetric(c.pinned, prometheus.GaugeValue, bool01(st.Pin != nil), name)
		ch <- prometheus.MustNewConstMetric(c.held, prometheus.GaugeValue, bool01(st.Hold != nil), name)
		ch <- prometheus.MustNewConstMetric(c.serving, prometheus.GaugeValue, float64(n), name)
		c.drill.collect(ch, name, st)
	}
}

func bool01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
