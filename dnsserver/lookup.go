package dnsserver

import (
	"strings"

	"github.com/miekg/dns"
)

// maxChain bounds the in-zone CNAME links followed for one query.
const maxChain = 8

// answer fills m (rcode, AA and the three sections) with the zone's answer
// to qname/qtype: RFC 1034 section 4.3.2 for one zone, with RFC 4592
// wildcards and in-zone CNAME chains.
func (ix *zoneIndex) answer(m *dns.Msg, qname string, qtype uint16) {
	m.Authoritative = true
	name := qname
	for range maxChain {
		next, more := ix.step(m, name, qtype)
		if !more || chainHas(m.Answer, next) {
			return
		}
		name = next
	}
}

// step answers one name of the chain. It returns the CNAME target to
// follow and true when the chain goes on inside the zone.
func (ix *zoneIndex) step(m *dns.Msg, name string, qtype uint16) (string, bool) {
	n, encloser, cut := ix.find(strings.ToLower(name), qtype)
	switch {
	case cut != nil:
		ix.referral(m, cut)
		return "", false
	case n != nil:
		return ix.fromNode(m, n, name, qtype, false)
	case encloser.wildcard != nil:
		return ix.fromNode(m, encloser.wildcard, name, qtype, true)
	default:
		m.Rcode = dns.RcodeNameError
		m.Ns = append(m.Ns, ix.negSOA)
		return "", false
	}
}

// find walks from the apex down to lname. It returns the node of lname if
// it exists; else the closest encloser (the deepest existing ancestor); or
// the delegation met on the way. A DS query for a delegation point itself
// is answered from the parent side, so that one cut is not a referral.
func (ix *zoneIndex) find(lname string, qtype uint16) (n, encloser, cut *node) {
	var buf [128]string
	names := buf[:0] // lname and its ancestors below the apex, deepest first
	for s := lname; len(s) > len(ix.origin); {
		names = append(names, s)
		next, end := dns.NextLabel(s, 0)
		if end {
			break
		}
		s = s[next:]
	}
	encloser = ix.apex
	for i := len(names) - 1; i >= 0; i-- {
		c, ok := ix.nodes[names[i]]
		if !ok {
			return nil, encloser, nil
		}
		if c.cut && (i > 0 || qtype != dns.TypeDS) {
			return nil, nil, c
		}
		encloser = c
	}
	return encloser, nil, nil
}

// fromNode answers from an existing node, or from a wildcard (synth) whose
// records then take owner as their name.
func (ix *zoneIndex) fromNode(m *dns.Msg, n *node, owner string, qtype uint16, synth bool) (string, bool) {
	if qtype == dns.TypeANY && len(n.order) > 0 {
		// RFC 8482: one RRset, the first in zone order, stands for all.
		m.Answer = appendRRs(m.Answer, n.rrsets[n.order[0]], owner, synth)
		return "", false
	}
	if rrs := n.rrsets[qtype]; rrs != nil {
		m.Answer = appendRRs(m.Answer, rrs, owner, synth)
		return "", false
	}
	if c := n.rrsets[dns.TypeCNAME]; c != nil {
		m.Answer = appendRRs(m.Answer, c, owner, synth)
		target := c[0].(*dns.CNAME).Target
		return target, dns.IsSubDomain(ix.origin, strings.ToLower(target))
	}
	m.Ns = append(m.Ns, ix.negSOA) // NODATA
	return "", false
}

// referral answers with the delegation: NS in authority, glue in
// additional, AA clear unless a CNAME chain led here from an answer.
func (ix *zoneIndex) referral(m *dns.Msg, cut *node) {
	if len(m.Answer) == 0 {
		m.Authoritative = false
	}
	m.Ns = append(m.Ns, cut.rrsets[dns.TypeNS]...)
	m.Extra = append(m.Extra, cut.glue...)
}

// appendRRs appends rrs, renamed to owner when they come from a wildcard.
func appendRRs(dst, rrs []dns.RR, owner string, synth bool) []dns.RR {
	if !synth {
		return append(dst, rrs...)
	}
	for _, rr := range rrs {
		c := dns.Copy(rr)
		c.Header().Name = owner
		dst = append(dst, c)
	}
	return dst
}

// chainHas reports whether a CNAME chain already passed through name.
func chainHas(answer []dns.RR, name string) bool {
	for _, rr := range answer {
		if strings.EqualFold(rr.Header().Name, name) {
			return true
		}
	}
	return false
}
