package dnsserver

import (
	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/dnsserver/rrl"
)

// limit applies response rate limiting to the answer m to r, and says
// what to send. Only UDP answers are limited, and not those to a client
// that sent a valid server cookie or that a transfer rule admits: none
// of them can be a spoofed source. It is a step of its own on the
// finished answer, so that any path that answers queries can call it.
func (s *Server) limit(w dns.ResponseWriter, r, m *dns.Msg, validCookie bool) rrl.Action {
	if s.rrl == nil || validCookie || !isUDP(w) {
		return rrl.Send
	}
	addr := remoteAddr(w)
	if s.peers.admitted(addr, tsigKey(w, r)) {
		return rrl.Send
	}
	a := s.rrl.Allow(addr, s.now(), answerKind(m))
	switch a {
	case rrl.Drop:
		s.stats.rrlDropped.Add(1)
	case rrl.Slip:
		s.stats.rrlSlipped.Add(1)
	}
	return a
}

// answerKind is the rate limiter's kind of the answer m.
func answerKind(m *dns.Msg) rrl.Kind {
	switch {
	case m.Rcode == dns.RcodeNameError:
		return rrl.NXDomain
	case m.Rcode != dns.RcodeSuccess:
		return rrl.Error
	case len(m.Answer) > 0:
		return rrl.Positive
	case !m.Authoritative && len(m.Ns) > 0 && m.Ns[0].Header().Rrtype == dns.TypeNS:
		return rrl.Referral
	}
	return rrl.NoData
}

// slipped is the answer sent instead of m when the rate limiter slips
// it: m's header with TC set and the question, nothing else, so that it
// is no larger than the query and a real client retries over TCP.
func slipped(r, m *dns.Msg) *dns.Msg {
	out := replyTo(r)
	out.Rcode = m.Rcode
	out.Authoritative = m.Authoritative
	out.Truncated = true
	return out
}
