package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/zonerw/zonerw/dnsserver"
)

// secondaryCollector reads each secondary's state from the nameserver at
// scrape time.
type secondaryCollector struct {
	zones  []string
	status func(zone string) []dnsserver.SecondaryState
	now    func() time.Time

	serial, target, behind, acked, notified, failing *prometheus.Desc
	notifySent, notifyAcked, notifyFailed            *prometheus.Desc
}

// NewSecondaryCollector exports, for each secondary of each zone, the
// serial it last reported, the serial it should reach, how long it has
// been behind, whether it acknowledged the NOTIFY for the current version,
// whether talking to it last failed, and how many NOTIFYs were sent to
// it, acknowledged and failed.
func NewSecondaryCollector(zones []string, status func(zone string) []dnsserver.SecondaryState, now func() time.Time) prometheus.Collector {
	l := []string{"zone", "secondary"}
	return &secondaryCollector{
		zones: zones, status: status, now: now,
		serial: prometheus.NewDesc("zonerw_secondary_serial",
			"Serial the secondary last reported (0 before it answered).", l, nil),
		target: prometheus.NewDesc("zonerw_secondary_target_serial",
			"Serial last published, which the secondary should reach.", l, nil),
		behind: prometheus.NewDesc("zonerw_secondary_behind_seconds",
			"Seconds since the NOTIFY for a serial the secondary has not reported yet; 0 when caught up.", l, nil),
		acked: prometheus.NewDesc("zonerw_secondary_notify_acknowledged",
			"1 if the secondary acknowledged the NOTIFY for the current serial.", l, nil),
		notified: prometheus.NewDesc("zonerw_secondary_notify_sent_timestamp_seconds",
			"Unix time the NOTIFY for the current serial was first sent.", l, nil),
		failing: prometheus.NewDesc("zonerw_secondary_failing",
			"1 if the last exchange with the secondary (NOTIFY or SOA query) failed.", l, nil),
		notifySent: prometheus.NewDesc("zonerw_dns_notify_sent_total",
			"NOTIFY messages sent to the secondary, retries included.", l, nil),
		notifyAcked: prometheus.NewDesc("zonerw_dns_notify_acknowledged_total",
			"NOTIFYs the secondary acknowledged (at most one per published version).", l, nil),
		notifyFailed: prometheus.NewDesc("zonerw_dns_notify_failed_total",
			"Published versions for which the secondary acknowledged no NOTIFY after every retry; "+
				"a NOTIFY cancelled by a newer version or by shutdown does not count.", l, nil),
	}
}

func (c *secondaryCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.serial, c.target, c.behind, c.acked, c.notified, c.failing, c.notifySent, c.notifyAcked, c.notifyFailed} {
		ch <- d
	}
}

func (c *secondaryCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.now()
	for _, zone := range c.zones {
		for _, s := range c.status(zone) {
			lv := []string{zone, s.Addr.String()}
			gauge := func(d *prometheus.Desc, v float64) {
				ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, lv...)
			}
			gauge(c.serial, float64(s.Serial))
			gauge(c.target, float64(s.Target))
			gauge(c.behind, Behind(s, now).Seconds())
			gauge(c.acked, bool01(s.Acked))
			gauge(c.failing, bool01(s.LastError != ""))
			counter := func(d *prometheus.Desc, v uint64) {
				ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), lv...)
			}
			counter(c.notifySent, s.NotifySent)
			counter(c.notifyAcked, s.NotifyAcked)
			counter(c.notifyFailed, s.NotifyFailed)
			if !s.Notified.IsZero() {
				gauge(c.notified, float64(s.Notified.UnixNano())/1e9)
			}
		}
	}
}

// Behind is how long a secondary has been missing the published serial:
// the time since the NOTIFY for it, or zero when the secondary reported
// it (or nothing was published yet).
func Behind(s dnsserver.SecondaryState, now time.Time) time.Duration {
	if s.Target == 0 || s.Serial == s.Target || s.Notified.IsZero() || now.Before(s.Notified) {
		return 0
	}
	return now.Sub(s.Notified)
}
