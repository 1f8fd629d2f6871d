package dnsserver

import (
	"log/slog"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// transfer answers AXFR and IXFR for the zone ix (RFC 5936, RFC 1995),
// and counts the query and the transfer in the zone's counters.
func (s *Server) transfer(w dns.ResponseWriter, r *dns.Msg, ix *zoneIndex) {
	q := r.Question[0]
	m := replyTo(r)
	m.Authoritative = true
	rcode := s.transferRcode(w, r, ix)
	if rcode == dns.RcodeSuccess && !strings.EqualFold(q.Name, ix.origin) {
		rcode = dns.RcodeNotAuth // not a zone apex
	}
	if rcode == dns.RcodeSuccess && q.Qtype == dns.TypeAXFR && isUDP(w) {
		rcode = dns.RcodeRefused // AXFR is TCP only
	}
	if rcode != dns.RcodeSuccess {
		s.logLimited(slog.LevelWarn, "transfer refused", "zone", ix.origin, "client", w.RemoteAddr().String(),
			"type", dns.Type(q.Qtype).String(), "rcode", dns.RcodeToString[rcode])
		m.Rcode = rcode
		s.write(w, r, m, ix.counts)
		ix.counts.transferred(q.Qtype, transferRefused)
		return
	}
	if !isUDP(w) {
		s.tcp.trust(addrPort(w.RemoteAddr())) // a secondary: keep its connection
	}
	if q.Qtype == dns.TypeIXFR && s.ixfr(w, r, ix, m) {
		return
	}
	s.sendTransfer(w, r, ix, dns.TypeAXFR, ix.axfr)
}

// transferRcode applies the zone's transfer policy: some rule must admit
// the client's address and, if the rule names one, its TSIG key (already
// verified); a zone without rules is not transferred at all.
func (s *Server) transferRcode(w dns.ResponseWriter, r *dns.Msg, ix *zoneIndex) int {
	zc := s.zones[ix.origin]
	if zc == nil {
		return dns.RcodeRefused
	}
	addr, key := remoteAddr(w), tsigKey(w, r)
	if !slices.ContainsFunc(zc.rules, func(rule TransferRule) bool { return rule.admits(addr, key) }) {
		return dns.RcodeRefused
	}
	return dns.RcodeSuccess
}

// tsigKey is the name of the key that signed r, or "" when r is not
// signed or its signature did not verify.
func tsigKey(w dns.ResponseWriter, r *dns.Msg) string {
	t := r.IsTsig()
	if t == nil || w.TsigStatus() != nil {
		return ""
	}
	return t.Hdr.Name
}

// ixfr answers an IXFR query, or returns false when it must fall back to
// AXFR because the client's serial is not in the journal.
func (s *Server) ixfr(w dns.ResponseWriter, r *dns.Msg, ix *zoneIndex, m *dns.Msg) bool {
	client, ok := ixfrSerial(r)
	if !ok {
		m.Rcode = dns.RcodeFormatError
		s.write(w, r, m, ix.counts)
		ix.counts.transferred(dns.TypeIXFR, transferFormErr)
		return true
	}
	if isUDP(w) || !serialLess(client, ix.zone.Serial()) {
		// Up to date (or over UDP, where RFC 1995 lets the server answer
		// with the SOA alone so that the client retries over TCP).
		m.Answer = []dns.RR{ix.zone.SOA}
		s.write(w, r, m, ix.counts)
		ix.counts.transferred(dns.TypeIXFR, transferUpToDate)
		return true
	}
	seq := ixfrRecords(ix, client)
	if seq == nil {
		return false
	}
	s.sendTransfer(w, r, ix, dns.TypeIXFR, chunk(seq, axfrChunk))
	return true
}

// ixfrSerial is the client's serial from the SOA in the authority section.
func ixfrSerial(r *dns.Msg) (uint32, bool) {
	if len(r.Ns) != 1 {
		return 0, false
	}
	soa, ok := r.Ns[0].(*dns.SOA)
	if !ok {
		return 0, false
	}
	return soa.Serial, true
}

// ixfrRecords is the RFC 1995 answer taking a client from serial to the
// current version: SOA(current), then per change SOA(old) deletions
// SOA(new) additions, then SOA(current); nil when serial is not in the
// journal.
func ixfrRecords(ix *zoneIndex, serial uint32) []dns.RR {
	i := slices.IndexFunc(ix.journal, func(d delta) bool { return d.from.Serial == serial })
	if i < 0 {
		return nil
	}
	seq := []dns.RR{ix.zone.SOA}
	for _, d := range ix.journal[i:] {
		seq = append(seq, d.from)
		seq = append(seq, d.deleted...)
		seq = append(seq, d.to)
		seq = append(seq, d.added...)
	}
	return append(seq, ix.zone.SOA)
}

// sendTransfer sends a transfer of type qtype (the records of chunks) of
// the zone ix, and counts the query and the transfer.
func (s *Server) sendTransfer(w dns.ResponseWriter, r *dns.Msg, ix *zoneIndex, qtype uint16, chunks [][]dns.RR) {
	res := transferOK
	if err := s.sendChunks(w, r, chunks); err != nil {
		s.logLimited(slog.LevelWarn, "transfer aborted", "client", w.RemoteAddr().String(), "zone", ix.origin,
			"type", dns.Type(qtype).String(), "err", err)
		res = transferAborted
	}
	ix.counts.answered(r, dns.RcodeSuccess)
	ix.counts.transferred(qtype, res)
}

// sendChunks writes one message per chunk, each signed when the query
// was (RFC 8945 section 5.3.1: later messages sign the timers only). It
// stops at the first message that cannot be written.
func (s *Server) sendChunks(w dns.ResponseWriter, r *dns.Msg, chunks [][]dns.RR) error {
	tsig := r.IsTsig()
	for _, c := range chunks {
		m := replyTo(r)
		m.Authoritative = true
		m.Compress = true
		m.Answer = c
		if tsig != nil {
			m.SetTsig(tsig.Hdr.Name, tsig.Algorithm, tsig.Fudge, s.now().Unix())
		}
		if err := w.WriteMsg(m); err != nil {
			return err
		}
		w.TsigTimersOnly(true)
	}
	return nil
}

// serialLess reports a < b in RFC 1982 serial number arithmetic.
func serialLess(a, b uint32) bool {
	return a != b && int32(b-a) > 0
}
