// Package metrics holds zonerw's Prometheus metrics. Nothing here is
// process-wide: cmd/zonerw builds the registry and hands it to New, so two
// daemons can run side by side in one test.
//
// Names follow zonerw_<subsystem>_<name>_<unit>. Values that another part
// of the program already keeps (the engine's state, the nameserver's
// counters, each secondary's serial, each provider's status) are read at
// scrape time by the collectors in this package rather than copied.
package metrics

import (
	"runtime"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics are the counters and histograms zonerw updates as things happen.
// Create it with New; its methods are safe for concurrent use.
type Metrics struct {
	probeResults  *prometheus.CounterVec
	probeDuration *prometheus.HistogramVec
	switches      *prometheus.CounterVec
	poolChanges   *prometheus.CounterVec
	drills        *prometheus.CounterVec
	events        *prometheus.CounterVec
	zoneSerial    *prometheus.GaugeVec
	zonePublishes *prometheus.CounterVec
	providerRuns  *prometheus.CounterVec
	deliveries    *prometheus.CounterVec
	reloads       *prometheus.CounterVec
	reloadOK      prometheus.Gauge
	reloadTime    prometheus.Gauge
	alerts        *prometheus.CounterVec
	alertRetries  *prometheus.CounterVec
}

// New creates the metrics on reg, with zonerw_build_info carrying
// version (the module version when empty).
func New(reg prometheus.Registerer, version string) *Metrics {
	f := promauto.With(reg)
	m := &Metrics{
		probeResults: f.NewCounterVec(prometheus.CounterOpts{
			Name: "zonerw_probe_results_total",
			Help: "Probe results per service and target; result is ok or fail.",
		}, []string{"service", "target", "result"}),
		probeDuration: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "zonerw_probe_duration_seconds",
			Help:    "Time each probe took, failures included.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
		}, []string{"service", "target"}),
		switches: f.NewCounterVec(prometheus.CounterOpts{
			Name: "zonerw_failover_switches_total",
			Help: "Changes of a service's active target, by from, to and the kind of reason.",
		}, []string{"service", "from", "to", "reason"}),
		poolChanges: f.NewCounterVec(prometheus.CounterOpts{
			Name: "zonerw_failover_pool_changes_total",
			Help: "Targets joining or leaving a pool (mode: pool), by target and change: joined or left.",
		}, []string{"service", "target", "change"}),
		drills: f.NewCounterVec(prometheus.CounterOpts{
			Name: "zonerw_drill_runs_total",
			Help: "Failover drills by result: passed, failed, aborted or skipped.",
		}, []string{"service", "result"}),
		events: f.NewCounterVec(prometheus.CounterOpts{
			Name: "zonerw_failover_events_total",
			Help: "Failover events that are not switches (all_down, isolated, flap_held, pinned, ...).",
		}, []string{"service", "kind"}),
		zoneSerial: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "zonerw_zone_serial",
			Help: "SOA serial of the version of each zone last handed to the nameserver.",
		}, []string{"zone"}),
		zonePublishes: f.NewCounterVec(prometheus.CounterOpts{
			Name: "zonerw_zone_publishes_total",
			Help: "Zone publishes (render, validate, write, serve) by result: ok or error.",
		}, []string{"zone", "result"}),
		providerRuns: f.NewCounterVec(prometheus.CounterOpts{
			Name: "zonerw_provider_publishes_total",
			Help: "Publishes to a DNS provider's API by result: ok or error.",
		}, []string{"provider", "result"}),
		deliveries: f.NewCounterVec(prometheus.CounterOpts{
			Name: "zonerw_destination_deliveries_total",
			Help: "Attempts to hand a destination (nameserver:ZONE, file:ZONE, provider:NAME) what it should hold, by result: ok or error.",
		}, []string{"destination", "result"}),
		reloads: f.NewCounterVec(prometheus.CounterOpts{
			Name: "zonerw_config_reloads_total",
			Help: "Config reloads by result: ok or error.",
		}, []string{"result"}),
		reloadOK: f.NewGauge(prometheus.GaugeOpts{
			Name: "zonerw_config_last_reload_successful",
			Help: "1 if the last config reload succeeded (or none was tried), 0 if it failed.",
		}),
		reloadTime: f.NewGauge(prometheus.GaugeOpts{
			Name: "zonerw_config_last_reload_success_timestamp_seconds",
			Help: "Unix time of the last successful config load.",
		}),
		alerts: f.NewCounterVec(prometheus.CounterOpts{
			Name: "zonerw_alert_deliveries_total",
			Help: "Alerts per sink by result: sent, failed (after every retry) or dropped (queue full or shutdown).",
		}, []string{"sink", "result"}),
		alertRetries: f.NewCounterVec(prometheus.CounterOpts{
			Name: "zonerw_alert_retries_total",
			Help: "Alert delivery attempts that failed and were retried.",
		}, []string{"sink"}),
	}
	f.NewGaugeVec(prometheus.GaugeOpts{
		Name: "zonerw_build_info",
		Help: "Always 1; the labels say which zonerw is running.",
	}, []string{"version", "goversion"}).WithLabelValues(buildVersion(version), runtime.Version()).Set(1)
	m.reloadOK.Set(1)
	return m
}

// buildVersion is v, or the main module's version from the build info.
func buildVersion(v string) string {
	if v != "" {
		return v
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "unknown"
}
