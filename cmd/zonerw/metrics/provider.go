package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/zonerw/zonerw/zones/provider"
)

// providerCollector reads each provider publisher's status at scrape time.
type providerCollector struct {
	status func() []provider.Status
	now    func() time.Time

	age, failing, inSync *prometheus.Desc
}

// NewProviderCollector exports, per provider, the age of its last
// successful publish (absent before the first), whether its last call
// failed, and how many of its records were last read holding what was
// asked for.
func NewProviderCollector(status func() []provider.Status, now func() time.Time) prometheus.Collector {
	l := []string{"provider", "zone"}
	return &providerCollector{
		status: status, now: now,
		age: prometheus.NewDesc("zonerw_provider_last_success_age_seconds",
			"Seconds since the provider's last successful publish or verify.", l, nil),
		failing: prometheus.NewDesc("zonerw_provider_failing",
			"1 if the provider's last publish or verify failed.", l, nil),
		inSync: prometheus.NewDesc("zonerw_provider_records_in_sync",
			"Records last read from the provider holding exactly the wanted addresses.", l, nil),
	}
}

func (c *providerCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.age
	ch <- c.failing
	ch <- c.inSync
}

func (c *providerCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.now()
	for _, s := range c.status() {
		lv := []string{s.Name, s.Zone}
		if !s.LastSuccess.IsZero() {
			ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, now.Sub(s.LastSuccess).Seconds(), lv...)
		}
		ch <- prometheus.MustNewConstMetric(c.failing, prometheus.GaugeValue, bool01(s.LastError != ""), lv...)
		n := 0
		for _, r := range s.Records {
			if r.InSync() {
				n++
			}
		}
		ch <- prometheus.MustNewConstMetric(c.inSync, prometheus.GaugeValue, float64(n), lv...)
	}
}
