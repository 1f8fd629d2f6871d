package dnsserver

import (
	"net"
	"runtime/debug"
	"strings"

	"github.com/miekg/dns"
)

// ServeDNS answers one query. Every listener of the server calls it; tests
// call it directly with a recording ResponseWriter. Each answer is counted
// once, with the rcode sent, under the zone of the question's name.
func (s *Server) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	if r.Response {
		s.stats.dropped.Add(1) // answering a response could start a loop
		return
	}
	ix := s.zoneOf(r)
	c := s.countsFor(ix)
	defer s.recoverPanic(w, r, c)
	if m := s.respond(w, r, ix); m != nil {
		s.write(w, r, m, c)
	}
}

// zoneOf returns the served zone closest enclosing the name r asks about,
// or nil when r has not exactly one question or the name is outside every
// served zone.
func (s *Server) zoneOf(r *dns.Msg) *zoneIndex {
	if len(r.Question) != 1 {
		return nil
	}
	return s.snap.Load().zoneFor(strings.ToLower(r.Question[0].Name))
}

// recoverPanic turns a panic while answering into SERVFAIL, counted in c.
func (s *Server) recoverPanic(w dns.ResponseWriter, r *dns.Msg, c *zoneCounts) {
	v := recover()
	if v == nil {
		return
	}
	s.stats.panics.Add(1)
	s.log.Error("panic answering a query", "panic", v, "stack", string(debug.Stack()))
	m := replyTo(r)
	m.Rcode = dns.RcodeServerFailure
	_ = w.WriteMsg(m) // the client may be gone; nothing more to do
	c.answered(r, m.Rcode)
}

// respond builds the answer to r, whose zone is ix (nil when outside
// every served zone), or returns nil when it wrote and counted the answer
// itself (transfers, TSIG errors).
func (s *Server) respond(w dns.ResponseWriter, r *dns.Msg, ix *zoneIndex) *dns.Msg {
	m := replyTo(r)
	switch {
	case r.Opcode != dns.OpcodeQuery:
		m.Rcode = dns.RcodeNotImplemented
		return m
	case len(r.Question) != 1 || countOPT(r) > 1:
		m.Rcode = dns.RcodeFormatError
		return m
	}
	if opt := r.IsEdns0(); opt != nil && opt.Version() != 0 {
		m.Rcode = dns.RcodeBadVers
		return m
	}
	if r.IsTsig() != nil && w.TsigStatus() != nil {
		s.writeTSIGError(w, r, m, w.TsigStatus(), s.countsFor(ix))
		return nil
	}
	q := r.Question[0]
	switch {
	case q.Qclass != dns.ClassINET:
		m.Rcode = dns.RcodeRefused
		return m
	case q.Qtype == dns.TypeOPT || q.Qtype == dns.TypeTSIG:
		m.Rcode = dns.RcodeFormatError
		return m
	}
	if ix == nil {
		// A configured zone not loaded yet is a failure of this server,
		// not a zone it does not serve: SERVFAIL, so resolvers try another.
		m.Rcode = dns.RcodeRefused
		if s.configured(strings.ToLower(q.Name)) {
			m.Rcode = dns.RcodeServerFailure
		}
		return m
	}
	if q.Qtype == dns.TypeAXFR || q.Qtype == dns.TypeIXFR {
		s.transfer(w, r, ix)
		return nil
	}
	ix.answer(m, q.Name, q.Qtype)
	return m
}

// write finishes m for the client of r (OPT, size limit, TSIG), sends it
// and counts it in c.
func (s *Server) write(w dns.ResponseWriter, r *dns.Msg, m *dns.Msg, c *zoneCounts) {
	opt := r.IsEdns0()
	if opt != nil {
		m.SetEdns0(s.cfg.UDPSize, opt.Do())
	}
	size := dns.MaxMsgSize
	if isUDP(w) {
		size = dns.MinMsgSize
		if opt != nil {
			size = max(dns.MinMsgSize, int(min(opt.UDPSize(), s.cfg.UDPSize)))
		}
	}
	tsig := r.IsTsig()
	if tsig != nil {
		size -= tsigOverhead(tsig)
	}
	truncate(m, size)
	if m.Truncated {
		s.stats.truncated.Add(1)
	}
	if tsig != nil {
		m.SetTsig(tsig.Hdr.Name, tsig.Algorithm, tsig.Fudge, s.now().Unix())
	}
	if err := w.WriteMsg(m); err != nil {
		s.log.Debug("cannot send answer", "client", w.RemoteAddr().String(), "err", err)
	}
	c.answered(r, m.Rcode)
}

// writeTSIGError answers a message whose TSIG failed: NOTAUTH with the RFC
// 8945 error in an unsigned TSIG record (the client's key cannot be used).
// The answer is counted in c.
func (s *Server) writeTSIGError(w dns.ResponseWriter, r, m *dns.Msg, status error, c *zoneCounts) {
	s.stats.tsigFailures.Add(1)
	t := r.IsTsig()
	s.log.Warn("tsig verification failed", "client", w.RemoteAddr().String(), "key", t.Hdr.Name, "err", status)
	m.Rcode = dns.RcodeNotAuth
	m.Extra = append(m.Extra, &dns.TSIG{
		Hdr:       dns.RR_Header{Name: t.Hdr.Name, Rrtype: dns.TypeTSIG, Class: dns.ClassANY},
		Algorithm: t.Algorithm, TimeSigned: t.TimeSigned, Fudge: t.Fudge,
		OrigId: r.Id, Error: tsigError(status),
	})
	buf, err := m.Pack()
	if err == nil {
		_, err = w.Write(buf) // Write, not WriteMsg: this reply is not signed
	}
	if err != nil {
		s.log.Debug("cannot send tsig error", "client", w.RemoteAddr().String(), "err", err)
	}
	c.answered(r, m.Rcode)
}

// replyTo starts the reply to r: same ID, opcode and question; RD and CD
// copied for queries; RA always clear.
func replyTo(r *dns.Msg) *dns.Msg {
	m := new(dns.Msg)
	m.Id = r.Id
	m.Response = true
	m.Opcode = r.Opcode
	if r.Opcode == dns.OpcodeQuery {
		m.RecursionDesired = r.RecursionDesired
		m.CheckingDisabled = r.CheckingDisabled
	}
	if len(r.Question) == 1 {
		m.Question = r.Question[:1:1]
	}
	return m
}

func countOPT(r *dns.Msg) int {
	n := 0
	for _, rr := range r.Extra {
		if rr.Header().Rrtype == dns.TypeOPT {
			n++
		}
	}
	return n
}

// tsigOverhead is the room a TSIG record signed like t takes.
func tsigOverhead(t *dns.TSIG) int {
	const fixed = 10 + 16 + 6 // RR header fields, TSIG fixed fields, other-data length
	return len(t.Hdr.Name) + len(t.Algorithm) + 2 + fixed + 64
}

// isUDP tells a datagram client from a TCP one.
func isUDP(w dns.ResponseWriter) bool {
	_, tcp := w.RemoteAddr().(*net.TCPAddr)
	return !tcp
}

// truncate makes m fit size. Records that only help (the addresses of an
// answer's MX, SRV or NS targets) are dropped first and without setting
// TC (RFC 2181 section 9); losing answer or authority records, or the glue
// of a referral, sets it.
func truncate(m *dns.Msg, size int) {
	answers, authority, was := len(m.Answer), len(m.Ns), m.Truncated
	referral := !m.Authoritative && answers == 0
	m.Truncate(size)
	if m.Truncated && !was && !referral && len(m.Answer) == answers && len(m.Ns) == authority {
		m.Truncated = false
	}
}

// configured reports whether lname (canonical) is inside a configured zone.
func (s *Server) configured(lname string) bool {
	for off, end := 0, false; !end; off, end = dns.NextLabel(lname, off) {
		if _, ok := s.zones[lname[off:]]; ok {
			return true
		}
	}
	return false
}
