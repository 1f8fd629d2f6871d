package dnsserver

import (
	"log/slog"
	"net"
	"runtime/debug"
	"strings"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/dnsserver/rrl"
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
	q := r.Question[0]
	return s.snap.Load().zoneFor(strings.ToLower(q.Name), q.Qtype)
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
	if rcode, done := s.precheck(r); done {
		m.Rcode = rcode
		return m
	}
	if r.IsTsig() != nil && w.TsigStatus() != nil {
		s.writeTSIGError(w, r, m, w.TsigStatus(), s.countsFor(ix))
		return nil
	}
	if r.Opcode == dns.OpcodeNotify {
		// This server is the primary: it sends NOTIFY, it takes none.
		m.Rcode = dns.RcodeRefused
		return m
	}
	q := r.Question[0]
	switch {
	case q.Qclass == dns.ClassCHAOS:
		s.chaos(m, q)
		return m
	case q.Qclass != dns.ClassINET && q.Qclass != dns.ClassANY:
		// Class ANY (RFC 1035 QCLASS *) asks for every class: the zones
		// are all IN, so it gets the IN answer, as from Knot and NSD.
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
	if wantsDNSSEC(r) {
		if sz, ok := ix.dnssecOf(); ok {
			ix.answerSigned(m, q.Name, q.Qtype, sz) // dnssec.go
			return m
		}
	}
	ix.answer(m, q.Name, q.Qtype)
	return m
}

// precheck answers the messages the server turns away before looking at
// their question: an opcode other than QUERY and NOTIFY (NOTIMP); not
// exactly one question, OPT out of place, or a malformed cookie when
// cookies are on (FORMERR); an EDNS version other than 0 (BADVERS). A
// query without a question that asks only for a server cookie gets
// NOERROR (and the cookie, from write; RFC 7873 section 5.4). done is
// false for the rest.
func (s *Server) precheck(r *dns.Msg) (rcode int, done bool) {
	switch {
	case r.Opcode != dns.OpcodeQuery && r.Opcode != dns.OpcodeNotify:
		return dns.RcodeNotImplemented, true
	case !optPlaced(r):
		return dns.RcodeFormatError, true
	}
	opt := r.IsEdns0()
	switch {
	case opt != nil && opt.Version() != 0:
		return dns.RcodeBadVers, true
	case opt != nil && s.cookies != nil && cookieMalformed(opt):
		return dns.RcodeFormatError, true
	case len(r.Question) == 0 && r.Opcode == dns.OpcodeQuery && opt != nil && s.cookies != nil && hasClientCookie(opt):
		return dns.RcodeSuccess, true
	case len(r.Question) != 1:
		return dns.RcodeFormatError, true
	}
	return 0, false
}

// write finishes m for the client of r (rate limit, OPT, size limit,
// TSIG), sends it and counts it in c.
func (s *Server) write(w dns.ResponseWriter, r *dns.Msg, m *dns.Msg, c *zoneCounts) {
	opt := ednsOf(r)
	cookie, validCookie := s.cookieFor(w, opt)
	switch s.limit(w, r, m, validCookie) {
	case rrl.Drop:
		return
	case rrl.Slip:
		m = slipped(r, m)
	}
	if opt != nil {
		s.setEDNS(m, opt, cookie)
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
	slip := m.Truncated
	if truncate(m, size); m.Truncated && !slip {
		s.stats.truncated.Add(1)
	}
	// The dns package compresses only what would not fit otherwise; NSD
	// and Knot always do: smaller replies, less to reflect.
	m.Compress = true
	if tsig != nil {
		m.SetTsig(tsig.Hdr.Name, tsig.Algorithm, tsig.Fudge, s.now().Unix())
	}
	if err := w.WriteMsg(m); err != nil {
		s.logLimited(slog.LevelDebug, "cannot send answer", "client", w.RemoteAddr().String(), "err", err)
	}
	c.answered(r, m.Rcode)
}

// writeTSIGError answers a message whose TSIG failed: NOTAUTH with the RFC
// 8945 error in an unsigned TSIG record (the client's key cannot be used).
// The answer is counted in c.
func (s *Server) writeTSIGError(w dns.ResponseWriter, r, m *dns.Msg, status error, c *zoneCounts) {
	s.stats.tsigFailures.Add(1)
	t := r.IsTsig()
	s.logLimited(slog.LevelWarn, "tsig verification failed", "client", w.RemoteAddr().String(), "key", t.Hdr.Name, "err", status)
	m.Rcode = dns.RcodeNotAuth
	switch s.limit(w, r, m, false) {
	case rrl.Drop:
		return
	case rrl.Slip:
		m.Truncated = true
	}
	if opt := ednsOf(r); opt != nil {
		s.setEDNS(m, opt, nil) // before the TSIG, which comes last
	}
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
		s.logLimited(slog.LevelDebug, "cannot send tsig error", "client", w.RemoteAddr().String(), "err", err)
	}
	c.answered(r, m.Rcode)
}

// replyTo starts the reply to r: same ID, opcode and question; RD and CD
// copied, whatever the opcode (RFC 1035 section 4.1.1, RFC 6840 section
// 5.9); RA always clear.
func replyTo(r *dns.Msg) *dns.Msg {
	m := new(dns.Msg)
	m.Id = r.Id
	m.Response = true
	m.Opcode = r.Opcode
	m.RecursionDesired = r.RecursionDesired
	m.CheckingDisabled = r.CheckingDisabled
	if len(r.Question) == 1 {
		m.Question = r.Question[:1:1]
	}
	return m
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
