package dnsserver

import (
	"maps"
	"slices"
	"sync/atomic"

	"github.com/miekg/dns"
)

// Stats is a snapshot of the server's counters since New. NOTIFY counts
// are per secondary, in SecondaryStatus.
type Stats struct {
	// QueryCounts are the queries answered, by zone, type and rcode; only
	// the non-zero ones, ordered by zone, then type and rcode in the order
	// of QueryTypes and Rcodes.
	QueryCounts []QueryCount
	// TransferCounts are the transfer requests, by zone, type and result;
	// only the non-zero ones, ordered by zone, type and result.
	TransferCounts []TransferCount

	Queries uint64 // every query answered: the sum of QueryCounts
	AXFR    uint64 // AXFRs sent in full, IXFR fallbacks included
	IXFR    uint64 // incremental transfers sent in full, and SOA-only IXFR answers

	Dropped          uint64 // queries with QR set, not answered
	Truncated        uint64 // answers sent with TC set
	Panics           uint64 // handler panics answered with SERVFAIL
	TSIGFailures     uint64 // signed messages that failed verification (NOTAUTH)
	TCPConnsRejected uint64 // TCP connections closed at once: no slot free, none idle to take over

	// Hostile traffic (docs/reliability.md).
	TCPConns               int    // TCP connections open now
	TCPConnsClientRejected uint64 // TCP connections closed at the per-client cap
	TCPConnsEvicted        uint64 // idle TCP connections closed to make room for a newcomer
	RateLimitDropped       uint64 // UDP answers the rate limit dropped
	RateLimitSlipped       uint64 // UDP answers the rate limit sent truncated instead
	// LogsSuppressed are the log lines the log rate limit left out, by
	// message, ordered by message.
	LogsSuppressed []LogCount
}

// QueryCount is the number of answers with one rcode to queries of one
// type for one zone.
type QueryCount struct {
	// Zone is the canonical name of the served zone holding the
	// question's name; empty for a name outside every served zone and for
	// a message without exactly one question.
	Zone string
	// Type is one of QueryTypes: the query type, or Other.
	Type string
	// Rcode is one of Rcodes: the rcode sent (extended rcodes included),
	// or Other.
	Rcode string
	Count uint64
}

// TransferCount is the number of transfer requests of one type for one
// zone that ended with one result.
type TransferCount struct {
	Zone string // canonical zone name
	// Type is the transfer sent, AXFR or IXFR: an IXFR request whose
	// serial is not in the journal is answered with, and counted as, an
	// AXFR. For refused and formerr it is the type asked for.
	Type string
	// Result is one of:
	//   - ok: the transfer was sent in full;
	//   - uptodate: an IXFR answered with the current SOA alone, because
	//     the client has that serial (or a later one) or asked over UDP;
	//   - refused: the address or key is not allowed, the name is not the
	//     zone apex (NOTAUTH), or an AXFR came over UDP;
	//   - formerr: an IXFR without the client's SOA;
	//   - aborted: writing to the client failed part way.
	Result string
	Count  uint64
}

// counters are the server's counters. zones is built by New and never
// changes, so it is read without a lock.
type counters struct {
	dropped, truncated, panics, tsigFailures atomic.Uint64
	tcpRejected                              atomic.Uint64
	tcpRejectedClient, tcpEvicted            atomic.Uint64
	rrlDropped, rrlSlipped                   atomic.Uint64

	zones   map[string]*zoneCounts // by canonical zone name
	outside zoneCounts             // queries outside every served zone
}

// countsFor returns the counters of the zone ix, or the counters for
// queries outside every served zone when ix is nil.
func (s *Server) countsFor(ix *zoneIndex) *zoneCounts {
	if ix == nil {
		return &s.stats.outside
	}
	return ix.counts
}

// Stats returns the current counters.
func (s *Server) Stats() Stats {
	c := &s.stats
	st := Stats{
		Dropped: c.dropped.Load(), Truncated: c.truncated.Load(), Panics: c.panics.Load(),
		TSIGFailures: c.tsigFailures.Load(), TCPConnsRejected: c.tcpRejected.Load(),
		TCPConns: s.tcp.open(), TCPConnsClientRejected: c.tcpRejectedClient.Load(), TCPConnsEvicted: c.tcpEvicted.Load(),
		RateLimitDropped: c.rrlDropped.Load(), RateLimitSlipped: c.rrlSlipped.Load(),
		LogsSuppressed: s.ratelog.suppressed(),
	}
	st.add("", &c.outside)
	for _, zone := range slices.Sorted(maps.Keys(c.zones)) {
		st.add(zone, c.zones[zone])
	}
	return st
}

// add appends zone's non-zero counters to st and adds them to the totals.
func (st *Stats) add(zone string, c *zoneCounts) {
	for t := range c.queries {
		for r := range c.queries[t] {
			if n := c.queries[t][r].Load(); n > 0 {
				st.QueryCounts = append(st.QueryCounts, QueryCount{Zone: zone, Type: typeName(t), Rcode: rcodeName(r), Count: n})
				st.Queries += n
			}
		}
	}
	for t, qtype := range transferTypes {
		for res := range numTransferResults {
			n := c.transfers[t][res].Load()
			if n == 0 {
				continue
			}
			st.TransferCounts = append(st.TransferCounts, TransferCount{Zone: zone, Type: dns.TypeToString[qtype], Result: transferResultNames[res], Count: n})
			switch {
			case qtype == dns.TypeAXFR && res == transferOK:
				st.AXFR += n
			case qtype == dns.TypeIXFR && (res == transferOK || res == transferUpToDate):
				st.IXFR += n
			}
		}
	}
}
