package metrics

import (
	"time"
)

// Probe counts one probe result and its latency.
func (m *Metrics) Probe(service, target string, ok bool, latency time.Duration) {
	m.probeResults.WithLabelValues(service, target, result(ok, "ok", "fail")).Inc()
	m.probeDuration.WithLabelValues(service, target).Observe(latency.Seconds())
}

// Switch counts a change of a service's active target. reason is a short
// kind ("target_down", "failback", "pin", ...), never the free text.
func (m *Metrics) Switch(service, from, to, reason string) {
	m.switches.WithLabelValues(service, from, to, reason).Inc()
}

// Event counts a failover event that is not a switch.
func (m *Metrics) Event(service, kind string) {
	m.events.WithLabelValues(service, kind).Inc()
}

// ZonePublished records a version of zone handed to the nameserver.
func (m *Metrics) ZonePublished(zone string, serial uint32) {
	m.zoneSerial.WithLabelValues(zone).Set(float64(serial))
	m.zonePublishes.WithLabelValues(zone, "ok").Inc()
}

// ZoneServing sets the serial zone serves without counting a publish: a
// version that is served but could not be stored (ZonePublishFailed
// counts that publish).
func (m *Metrics) ZoneServing(zone string, serial uint32) {
	m.zoneSerial.WithLabelValues(zone).Set(float64(serial))
}

// ZonePublishFailed counts a publish of zone that failed; the last good
// version keeps being served, so the serial gauge is left alone.
func (m *Metrics) ZonePublishFailed(zone string) {
	m.zonePublishes.WithLabelValues(zone, "error").Inc()
}

// ProviderPublished counts one publish to a provider's API.
func (m *Metrics) ProviderPublished(provider string, ok bool) {
	m.providerRuns.WithLabelValues(provider, result(ok, "ok", "error")).Inc()
}

// Delivered counts one attempt to deliver to a destination.
func (m *Metrics) Delivered(destination string, ok bool) {
	m.deliveries.WithLabelValues(destination, result(ok, "ok", "error")).Inc()
}

// Reloaded counts a config reload that ended at at.
func (m *Metrics) Reloaded(ok bool, at time.Time) {
	m.reloads.WithLabelValues(result(ok, "ok", "error")).Inc()
	if ok {
		m.reloadOK.Set(1)
		m.reloadTime.Set(float64(at.UnixNano()) / 1e9)
		return
	}
	m.reloadOK.Set(0)
}

// Loaded records the config read at start as the last successful load.
func (m *Metrics) Loaded(at time.Time) { m.reloadTime.Set(float64(at.UnixNano()) / 1e9) }

// Alert counts the end of one alert's delivery to sink: "sent", "failed"
// or "dropped"; "retry" counts a failed attempt that will be tried again.
func (m *Metrics) Alert(sink, outcome string) {
	if outcome == "retry" {
		m.alertRetries.WithLabelValues(sink).Inc()
		return
	}
	m.alerts.WithLabelValues(sink, outcome).Inc()
}

func result(ok bool, yes, no string) string {
	if ok {
		return yes
	}
	return no
}
