package dnsserver

import (
	"slices"

	"github.com/miekg/dns"
)

// optPlaced reports whether r's OPT records, if any, are where RFC 6891
// section 6.1.1 puts them: one at most, in the additional section, owned
// by the root.
func optPlaced(r *dns.Msg) bool {
	isOPT := func(rr dns.RR) bool { return rr.Header().Rrtype == dns.TypeOPT }
	if slices.ContainsFunc(r.Answer, isOPT) || slices.ContainsFunc(r.Ns, isOPT) {
		return false
	}
	n := 0
	for _, rr := range r.Extra {
		if isOPT(rr) {
			if n++; n > 1 || rr.Header().Name != "." {
				return false
			}
		}
	}
	return true
}

// ednsOf is r's OPT record, or nil when r has none or has it out of
// place (such a query is answered FORMERR, without OPT).
func ednsOf(r *dns.Msg) *dns.OPT {
	opt := r.IsEdns0()
	if opt == nil || !optPlaced(r) {
		return nil
	}
	return opt
}

// setEDNS adds the server's OPT to the reply m to a query with opt: the
// buffer size, the DO bit echoed, the NSID when asked for and configured
// (RFC 5001), and the cookie when there is one.
func (s *Server) setEDNS(m *dns.Msg, opt *dns.OPT, cookie *dns.EDNS0_COOKIE) {
	m.SetEdns0(s.cfg.UDPSize, opt.Do())
	out := m.IsEdns0()
	if s.nsid != "" && slices.ContainsFunc(opt.Option, func(o dns.EDNS0) bool { return o.Option() == dns.EDNS0NSID }) {
		out.Option = append(out.Option, &dns.EDNS0_NSID{Code: dns.EDNS0NSID, Nsid: s.nsid})
	}
	if cookie != nil {
		out.Option = append(out.Option, cookie)
	}
}

// cookieFor returns the COOKIE option for the reply to the query with
// opt from the client of w, and whether the query held a valid server
// cookie; nil when cookies are off or the query sent none, or a
// malformed one (answered FORMERR).
func (s *Server) cookieFor(w dns.ResponseWriter, opt *dns.OPT) (*dns.EDNS0_COOKIE, bool) {
	if s.cookies == nil || cookieMalformed(opt) {
		return nil, false
	}
	q, ok := queryCookie(opt)
	if !ok || len(q) < clientCookieLen {
		return nil, false
	}
	return s.cookies.answer(q, remoteAddr(w), s.now())
}
