package metrics

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/zonerw/zonerw/dnsserver"
)

// outsideZones is the zone label of queries for names outside every
// served zone (and of messages without exactly one question).
const outsideZones = "-"

// dnsCollector turns the nameserver's counters into Prometheus counters
// at scrape time.
type dnsCollector struct {
	stats     func() dnsserver.Stats
	plain     []dnsCounter
	queries   *prometheus.Desc
	transfers *prometheus.Desc
	guards    guardDescs // hostile traffic: dnsguards.go
}

// dnsCounter is one unlabelled counter of dnsserver.Stats.
type dnsCounter struct {
	desc  *prometheus.Desc
	value func(dnsserver.Stats) uint64
}

// NewDNSCollector exports the embedded nameserver's counters from stats:
// queries by zone, type and rcode, transfers by zone, type and result,
// the counts of rarer events (dropped queries, truncated answers,
// panics, TSIG failures, rejected TCP connections, journal errors), and
// what the limits against hostile traffic did.
// NOTIFY counts are exported per secondary by NewSecondaryCollector.
func NewDNSCollector(stats func() dnsserver.Stats) prometheus.Collector {
	plain := func(name, help string, v func(dnsserver.Stats) uint64) dnsCounter {
		return dnsCounter{desc: prometheus.NewDesc(name, help, nil, nil), value: v}
	}
	return &dnsCollector{
		stats: stats,
		plain: []dnsCounter{
			plain("zonerw_dns_queries_dropped_total", "Messages with QR set, not answered.", func(s dnsserver.Stats) uint64 { return s.Dropped }),
			plain("zonerw_dns_responses_truncated_total", "Answers sent with TC set because they did not fit (rate-limit slips are counted apart).", func(s dnsserver.Stats) uint64 { return s.Truncated }),
			plain("zonerw_dns_handler_panics_total", "Handler panics answered with SERVFAIL.", func(s dnsserver.Stats) uint64 { return s.Panics }),
			plain("zonerw_dns_tsig_failures_total", "Signed messages that failed TSIG verification.", func(s dnsserver.Stats) uint64 { return s.TSIGFailures }),
			plain("zonerw_dns_tcp_connections_rejected_total", "TCP connections closed at once: every slot was taken, and none by an idle connection a newcomer may take over.", func(s dnsserver.Stats) uint64 { return s.TCPConnsRejected }),
		},
		queries: prometheus.NewDesc("zonerw_dns_queries_total",
			"Queries answered, by zone, query type and the rcode sent. zone is the served zone holding the name asked about, "+
				`or "`+outsideZones+`" for names outside every served zone and messages without exactly one question; `+
				"type is one of "+strings.Join(dnsserver.QueryTypes(), ", ")+"; "+
				"rcode is one of "+strings.Join(dnsserver.Rcodes(), ", ")+". A transfer counts as one query.",
			[]string{"zone", "type", "rcode"}, nil),
		transfers: prometheus.NewDesc("zonerw_dns_transfers_total",
			"Zone transfer requests, by zone, type and result. type is the transfer sent: AXFR or IXFR "+
				"(an IXFR whose serial is no longer in the journal is answered with, and counted as, an AXFR), "+
				"or for refused and formerr the type asked for. result is ok (sent in full), "+
				"uptodate (IXFR answered with the current SOA alone: the client has that serial, or asked over UDP), "+
				"refused (address or key not allowed, not the zone apex, or AXFR over UDP), "+
				"formerr (IXFR without the client's SOA) or aborted (writing to the client failed part way).",
			[]string{"zone", "type", "result"}, nil),
		guards: newGuardDescs(),
	}
}

func (c *dnsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.plain {
		ch <- d.desc
	}
	ch <- c.queries
	ch <- c.transfers
	c.guards.describe(ch)
}

func (c *dnsCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	for _, d := range c.plain {
		counter(d.desc, d.value(s))
	}
	for _, q := range s.QueryCounts {
		counter(c.queries, q.Count, zoneLabel(q.Zone), q.Type, q.Rcode)
	}
	for _, t := range s.TransferCounts {
		counter(c.transfers, t.Count, zoneLabel(t.Zone), t.Type, t.Result)
	}
	c.guards.collect(ch, s)
}

// zoneLabel is a zone's name as the zone label shows it, like the config
// names it: "example.com" for "example.com.", outsideZones for none.
func zoneLabel(zone string) string {
	switch zone {
	case "":
		return outsideZones
	case ".":
		return zone
	}
	return strings.TrimSuffix(zone, ".")
}
