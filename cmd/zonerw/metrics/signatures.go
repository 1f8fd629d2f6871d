package metrics

import (
	"maps"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// signatureCollector reads, at scrape time, when each signed zone's
// oldest signatures expire.
type signatureCollector struct {
	expire func() map[string]time.Time
	desc   *prometheus.Desc
}

// NewSignatureCollector exports, for each signed zone in expire (zone to
// time), when the oldest signatures its secondaries hold expire. zonerw
// signs again well before that; an alert on this coming within a few days
// catches re-signing that keeps failing before validating resolvers see
// the zone as bogus.
func NewSignatureCollector(expire func() map[string]time.Time) prometheus.Collector {
	return &signatureCollector{
		expire: expire,
		desc: prometheus.NewDesc("zonerw_zone_signatures_expire_timestamp_seconds",
			"Unix time at which the oldest DNSSEC signatures of the version the secondaries hold expire (signed zones only).",
			[]string{"zone"}, nil),
	}
}

func (c *signatureCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *signatureCollector) Collect(ch chan<- prometheus.Metric) {
	m := c.expire()
	for _, zone := range slices.Sorted(maps.Keys(m)) {
		if at := m[zone]; !at.IsZero() {
			ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(at.Unix()), zone)
		}
	}
}
