package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/zonerw/zonerw/dnsserver"
)

// guardDescs are the nameserver's metrics of hostile traffic: what the
// rate limit, the TCP limits and the log rate limit did.
type guardDescs struct {
	tcpOpen, tcpClientRejected, tcpEvicted, rateLimited, logSuppressed *prometheus.Desc
}

func newGuardDescs() guardDescs {
	return guardDescs{
		tcpOpen: prometheus.NewDesc("zonerw_dns_tcp_connections",
			"TCP connections open now, all listeners.", nil, nil),
		tcpClientRejected: prometheus.NewDesc("zonerw_dns_tcp_connections_client_rejected_total",
			"TCP connections closed at once because their client address already held its cap.", nil, nil),
		tcpEvicted: prometheus.NewDesc("zonerw_dns_tcp_connections_evicted_total",
			"Idle TCP connections closed to give their slot to a newcomer when every slot was taken.", nil, nil),
		rateLimited: prometheus.NewDesc("zonerw_dns_responses_rate_limited_total",
			"UDP answers over their client prefix's rate limit, by action: dropped, or slipped (sent truncated, "+
				"without records, so that a real client retries over TCP).", []string{"action"}, nil),
		logSuppressed: prometheus.NewDesc("zonerw_dns_log_lines_suppressed_total",
			"Log lines the log rate limit left out, by message (each interval's first lines are logged, "+
				"then one summary line).", []string{"message"}, nil),
	}
}

func (g guardDescs) describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{g.tcpOpen, g.tcpClientRejected, g.tcpEvicted, g.rateLimited, g.logSuppressed} {
		ch <- d
	}
}

func (g guardDescs) collect(ch chan<- prometheus.Metric, s dnsserver.Stats) {
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	ch <- prometheus.MustNewConstMetric(g.tcpOpen, prometheus.GaugeValue, float64(s.TCPConns))
	counter(g.tcpClientRejected, s.TCPConnsClientRejected)
	counter(g.tcpEvicted, s.TCPConnsEvicted)
	counter(g.rateLimited, s.RateLimitDropped, "dropped")
	counter(g.rateLimited, s.RateLimitSlipped, "slipped")
	for _, l := range s.LogsSuppressed {
		counter(g.logSuppressed, l.Count, l.Message)
	}
}
