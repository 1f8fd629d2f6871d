package dnsserver

import "sync/atomic"

// Stats is a snapshot of the server's counters since New.
type Stats struct {
	Queries          uint64 // messages handed to the handler
	Dropped          uint64 // queries with QR set, not answered
	Refused          uint64 // queries for names outside every served zone
	Truncated        uint64 // answers sent with TC set
	Panics           uint64 // handler panics answered with SERVFAIL
	TSIGFailures     uint64 // signed messages that failed verification (NOTAUTH)
	AXFR             uint64 // full transfers sent (IXFR fallbacks included)
	IXFR             uint64 // incremental transfers sent (SOA-only answers included)
	TransfersRefused uint64 // transfers denied by address, key or transport
	TCPConnsRejected uint64 // TCP connections closed at the connection cap
	NotifyFailures   uint64 // secondaries that never acknowledged a NOTIFY
	JournalErrors    uint64 // failures to write the IXFR journal to disk
}

type counters struct {
	queries, dropped, refused, truncated, panics, tsigFailures atomic.Uint64
	axfr, ixfr, transfersRefused, tcpRejected                  atomic.Uint64
	notifyFailures, journalErrors                              atomic.Uint64
}

// Stats returns the current counters.
func (s *Server) Stats() Stats {
	c := &s.stats
	return Stats{
		Queries: c.queries.Load(), Dropped: c.dropped.Load(), Refused: c.refused.Load(),
		Truncated: c.truncated.Load(), Panics: c.panics.Load(), TSIGFailures: c.tsigFailures.Load(),
		AXFR: c.axfr.Load(), IXFR: c.ixfr.Load(), TransfersRefused: c.transfersRefused.Load(),
		TCPConnsRejected: c.tcpRejected.Load(), NotifyFailures: c.notifyFailures.Load(),
		JournalErrors: c.journalErrors.Load(),
	}
}
