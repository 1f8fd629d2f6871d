package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/zonerw/zonerw/dnsserver"
)

// dnsCollector turns the nameserver's counters into Prometheus counters
// at scrape time.
type dnsCollector struct {
	stats func() dnsserver.Stats
	descs []dnsCounter
}

// dnsCounter is one counter of dnsserver.Stats.
type dnsCounter struct {
	desc   *prometheus.Desc
	labels []string
	value  func(dnsserver.Stats) uint64
}

// NewDNSCollector exports the embedded nameserver's counters (queries,
// refusals, transfers by type, NOTIFY failures, ...) from stats.
func NewDNSCollector(stats func() dnsserver.Stats) prometheus.Collector {
	plain := func(name, help string, v func(dnsserver.Stats) uint64) dnsCounter {
		return dnsCounter{desc: prometheus.NewDesc(name, help, nil, nil), value: v}
	}
	xfr := prometheus.NewDesc("zonerw_dns_transfers_total",
		"Zone transfers sent, by type (AXFR includes IXFR requests answered with a full transfer).", []string{"type"}, nil)
	return &dnsCollector{stats: stats, descs: []dnsCounter{
		plain("zonerw_dns_queries_total", "DNS messages handed to the handler.", func(s dnsserver.Stats) uint64 { return s.Queries }),
		plain("zonerw_dns_queries_dropped_total", "Messages with QR set, not answered.", func(s dnsserver.Stats) uint64 { return s.Dropped }),
		plain("zonerw_dns_queries_refused_total", "Queries for names outside every served zone.", func(s dnsserver.Stats) uint64 { return s.Refused }),
		plain("zonerw_dns_responses_truncated_total", "Answers sent with TC set.", func(s dnsserver.Stats) uint64 { return s.Truncated }),
		plain("zonerw_dns_handler_panics_total", "Handler panics answered with SERVFAIL.", func(s dnsserver.Stats) uint64 { return s.Panics }),
		plain("zonerw_dns_tsig_failures_total", "Signed messages that failed TSIG verification.", func(s dnsserver.Stats) uint64 { return s.TSIGFailures }),
		{desc: xfr, labels: []string{"AXFR"}, value: func(s dnsserver.Stats) uint64 { return s.AXFR }},
		{desc: xfr, labels: []string{"IXFR"}, value: func(s dnsserver.Stats) uint64 { return s.IXFR }},
		plain("zonerw_dns_transfers_refused_total", "Transfers denied by address, key or transport.", func(s dnsserver.Stats) uint64 { return s.TransfersRefused }),
		plain("zonerw_dns_tcp_connections_rejected_total", "TCP connections closed at the connection cap.", func(s dnsserver.Stats) uint64 { return s.TCPConnsRejected }),
		plain("zonerw_dns_notify_failures_total", "NOTIFYs a secondary never acknowledged after every retry.", func(s dnsserver.Stats) uint64 { return s.NotifyFailures }),
		plain("zonerw_dns_journal_errors_total", "Failures to write the IXFR journal to disk.", func(s dnsserver.Stats) uint64 { return s.JournalErrors }),
	}}
}

func (c *dnsCollector) Describe(ch chan<- *prometheus.Desc) {
	seen := map[*prometheus.Desc]bool{}
	for _, d := range c.descs {
		if !seen[d.desc] {
			ch <- d.desc
			seen[d.desc] = true
		}
	}
}

func (c *dnsCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	for _, d := range c.descs {
		ch <- prometheus.MustNewConstMetric(d.desc, prometheus.CounterValue, float64(d.value(s)), d.labels...)
	}
}
