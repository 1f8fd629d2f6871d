package dnsserver

import (
	"strings"

	"github.com/miekg/dns"
)

// chaos answers the CHAOS-class TXT queries that name the server (RFC
// 4892), when the config gives the answer: id.server and hostname.bind
// the Identity, version.bind and version.server the Version. Like NSD and
// Knot it answers without AA and with TTL 0; anything else is REFUSED.
func (s *Server) chaos(m *dns.Msg, q dns.Question) {
	var txt string
	switch strings.ToLower(q.Name) {
	case "id.server.", "hostname.bind.":
		txt = s.cfg.Limits.Identity
	case "version.bind.", "version.server.":
		txt = s.cfg.Limits.Version
	}
	if txt == "" || q.Qtype != dns.TypeTXT {
		m.Rcode = dns.RcodeRefused
		return
	}
	m.Answer = []dns.RR{&dns.TXT{
		Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassCHAOS},
		Txt: []string{txt},
	}}
}
