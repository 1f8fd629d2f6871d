package dnsserver

import (
	"iter"
	"log/slog"
	"slices"
	"strings"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

// transfer answers AXFR and IXFR for the zone ix (RFC 5936, RFC 1995),
// and counts the query and the transfer in the zone's counters.
func (s *Server) transfer(w dns.ResponseWriter, r *dns.Msg, ix *zoneIndex) {
	q := r.Question[0]
	m := replyTo(r)                  // AA is set only on what answers with zone data
	rcode := dns.RcodeNotImplemented // AXFR is TCP only (RFC 5936 section 4.2), as from NSD and Knot
	if q.Qtype == dns.TypeIXFR || !isUDP(w) {
		rcode = s.transferRcode(w, r, ix)
	}
	if rcode == dns.RcodeSuccess && !strings.EqualFold(q.Name, ix.origin) {
		rcode = dns.RcodeNotAuth // not a zone apex
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
	s.sendTransfer(w, r, ix, dns.TypeAXFR, axfrChunks(ix))
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
	if isUDP(w) || !serialLess(client, ix.serial()) {
		// Up to date (or over UDP, where RFC 1995 lets the server answer
		// with the SOA alone so that the client retries over TCP).
		m.Authoritative = true
		m.Answer = []dns.RR{ix.soa()}
		s.write(w, r, m, ix.counts)
		ix.counts.transferred(dns.TypeIXFR, transferUpToDate)
		return true
	}
	seq := ixfrRecords(ix, client)
	if seq == nil {
		return false
	}
	s.sendTransfer(w, r, ix, dns.TypeIXFR, slices.Values(chunk(seq, axfrChunk)))
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
	j := ix.v.Journal()
	i := slices.IndexFunc(j, func(d zones.Delta) bool { return d.From.Serial == serial })
	if i < 0 {
		return nil
	}
	seq := []dns.RR{ix.soa()}
	for _, d := range j[i:] {
		seq = append(seq, d.From)
		seq = append(seq, d.Deleted...)
		seq = append(seq, d.To)
		seq = append(seq, d.Added...)
	}
	return append(seq, ix.soa())
}

// axfrChunk is the payload size (uncompressed) aimed at per transfer message.
const axfrChunk = 16 * 1024

// axfrChunks yields the zone in AXFR order (SOA, every other record, SOA)
// in runs of about axfrChunk bytes, decoding the records as it goes so a
// transfer of a large zone never holds it all as dns.RR values.
func axfrChunks(ix *zoneIndex) iter.Seq[[]dns.RR] {
	return func(yield func([]dns.RR) bool) {
		var cur []dns.RR
		size := 0
		add := func(rr dns.RR) bool {
			l := dns.Len(rr)
			if size+l > axfrChunk && len(cur) > 0 {
				if !yield(cur) {
					return false
				}
				cur, size = nil, 0
			}
			cur, size = append(cur, rr), size+l
			return true
		}
		ok := add(ix.soa())
		ix.v.Each(func(name []byte, n zones.Node) bool {
			owner := zones.WireNameText(name)
			for i := range n.Len() {
				set := n.At(i)
				if set.Type == dns.TypeSOA {
					continue
				}
				for _, rr := range set.Records(owner) {
					if ok = add(rr); !ok {
						return false
					}
				}
			}
			return true
		})
		if ok && add(ix.soa()) {
			yield(cur)
		}
	}
}

// chunk splits rrs into runs of at most about limit bytes (uncompressed).
func chunk(rrs []dns.RR, limit int) [][]dns.RR {
	var out [][]dns.RR
	start, size := 0, 0
	for i, rr := range rrs {
		l := dns.Len(rr)
		if size+l > limit && i > start {
			out = append(out, rrs[start:i:i])
			start, size = i, 0
		}
		size += l
	}
	if start < len(rrs) {
		out = append(out, rrs[start:])
	}
	return out
}

// sendTransfer sends a transfer of type qtype (the records of chunks) of
// the zone ix, and counts the query and the transfer.
func (s *Server) sendTransfer(w dns.ResponseWriter, r *dns.Msg, ix *zoneIndex, qtype uint16, chunks iter.Seq[[]dns.RR]) {
	res := transferOK
	if err := s.sendChunks(w, r, chunks); err != nil {
		s.logLimited(slog.LevelWarn, "transfer aborted", "client", w.RemoteAddr().String(), "zone", ix.origin,
			"type", dns.Type(qtype).String(), "err", err)
		res = transferAborted
	}
	ix.counts.answered(r, dns.RcodeSuccess)
	ix.counts.transferred(qtype, res)
	if res == transferOK {
		s.transfers.ended(ix.origin)
	}
}

// sendChunks writes one message per chunk, each signed when the query
// was (RFC 8945 section 5.3.1: later messages sign the timers only). The
// first carries the OPT when the query had one (RFC 6891 section 7, RFC
// 5936 section 2.2.5). It stops at the first message that cannot be
// written.
func (s *Server) sendChunks(w dns.ResponseWriter, r *dns.Msg, chunks iter.Seq[[]dns.RR]) error {
	tsig := r.IsTsig()
	opt := ednsOf(r)
	first := true
	for c := range chunks {
		m := replyTo(r)
		m.Authoritative = true
		m.Compress = true
		m.Answer = c
		if first && opt != nil {
			cookie, _ := s.cookieFor(w, opt)
			s.setEDNS(m, opt, cookie)
		}
		first = false
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
