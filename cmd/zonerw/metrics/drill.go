package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/zonerw/zonerw/failover"
)

// drillDescs are the gauges of a service's drills, read from its state:
// whether one runs, and what the last found.
type drillDescs struct {
	running, passed, at, follow *prometheus.Desc
}

func newDrillDescs() drillDescs {
	svc := []string{"service"}
	return drillDescs{
		running: prometheus.NewDesc("zonerw_drill_running",
			"1 while a failover drill holds the service on its next target.", svc, nil),
		passed: prometheus.NewDesc("zonerw_drill_last_passed",
			"1 if the service's last failover drill passed, 0 if it failed or was aborted; absent before the first.", svc, nil),
		at: prometheus.NewDesc("zonerw_drill_last_timestamp_seconds",
			"Unix time the service's last failover drill began.", svc, nil),
		follow: prometheus.NewDesc("zonerw_drill_follow_seconds",
			"Time each destination took to follow the last drill: direction there (to the drill's target) or back; absent where it did not follow.",
			[]string{"service", "destination", "direction"}, nil),
	}
}

func (d drillDescs) describe(ch chan<- *prometheus.Desc) {
	ch <- d.running
	ch <- d.passed
	ch <- d.at
	ch <- d.follow
}

func (d drillDescs) collect(ch chan<- prometheus.Metric, service string, st *failover.ServiceState) {
	ch <- prometheus.MustNewConstMetric(d.running, prometheus.GaugeValue, bool01(st.Pin != nil && st.Pin.Drill), service)
	r := st.LastDrill
	if r == nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(d.passed, prometheus.GaugeValue, bool01(r.Result == failover.DrillPassed), service)
	ch <- prometheus.MustNewConstMetric(d.at, prometheus.GaugeValue, float64(r.Start.UnixNano())/1e9, service)
	for _, f := range r.Follow {
		if f.There > 0 {
			ch <- prometheus.MustNewConstMetric(d.follow, prometheus.GaugeValue, f.There.Seconds(), service, f.Destination, "there")
		}
		if f.Back > 0 {
			ch <- prometheus.MustNewConstMetric(d.follow, prometheus.GaugeValue, f.Back.Seconds(), service, f.Destination, "back")
		}
	}
}
