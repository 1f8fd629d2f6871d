package dnsserver

import (
	"strings"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

// maxChain bounds the in-zone CNAME links followed for one query.
const maxChain = 8

// answer fills m (rcode, AA and the three sections) with the zone's answer
// to qname/qtype: RFC 1034 section 4.3.2 for one zone, with RFC 4592
// wildcards, in-zone CNAME chains and additional-section addresses for
// in-zone MX, SRV and NS targets. Owner names keep the spelling of the
// question (its 0x20 case included) where they are the question's name
// or an ancestor of it.
func (ix *zoneIndex) answer(m *dns.Msg, qname string, qtype uint16) {
	ix.answerWith(m, qname, qtype, false, signedZone{})
}

// answerWith is answer; do (with sz) adds what a query with the DO bit
// gets from a signed zone.
func (ix *zoneIndex) answerWith(m *dns.Msg, qname string, qtype uint16, do bool, sz signedZone) {
	m.Authoritative = true
	a := answering{ix: ix, m: m, apexOwner: suffixOf(qname, ix.labels), do: do, sz: sz}
	name := qname
	for range maxChain {
		next, more := a.step(name, qtype)
		if !more || chainHas(m.Answer, next) {
			break
		}
		name = next
	}
	a.additional()
}

// answering is one answer in the making.
type answering struct {
	ix        *zoneIndex
	m         *dns.Msg
	apexOwner string // the apex spelled as the question spells it
	buf       [256]byte
	// do is set for a query with the DO bit to a signed zone: signatures
	// and denial proofs go with the answer (dnssec.go), sz says how.
	do     bool
	sz     signedZone
	nodata bool // the last fromNode answered NODATA
}

// step answers one name of the chain. It returns the CNAME target to
// follow and true when the chain goes on inside the zone.
func (a *answering) step(name string, qtype uint16) (string, bool) {
	w, ok := a.wire(name)
	if !ok {
		a.nxdomain()
		return "", false
	}
	f := a.ix.find(w, qtype)
	switch {
	case f.dname:
		return a.substitute(f.node, name)
	case f.cut:
		a.referral(f.node, suffixOf(name, zones.WireLabels(a.ix.v.Name(f.node))))
		return "", false
	case f.found:
		next, more := a.fromNode(f.node, name, qtype)
		if a.nodata {
			a.proveNODATA(w)
		}
		return next, more
	case f.encloser.WildcardChild():
		if wc, ok := a.ix.wildcardOf(f.encloser); ok {
			next, more := a.fromNode(wc, name, qtype)
			a.proveWildcard(w, f.encloser, a.nodata)
			return next, more
		}
	}
	a.nxdomain()
	a.proveNXDOMAIN(w, f.encloser)
	return "", false
}

// wire is name's canonical wire form, in a's buffer.
func (a *answering) wire(name string) ([]byte, bool) {
	w, err := zones.AppendWireName(a.buf[:0], name)
	return w, err == nil
}

func (a *answering) nxdomain() {
	a.m.Rcode = dns.RcodeNameError
	a.m.Ns = append(a.m.Ns, a.negSOA())
	a.signNegSOA()
}

// negSOA is the negative-caching SOA owned by the apex as the question
// spells it.
func (a *answering) negSOA() dns.RR {
	if a.apexOwner == a.ix.negSOA.Header().Name {
		return a.ix.negSOA
	}
	c := dns.Copy(a.ix.negSOA)
	c.Header().Name = a.apexOwner
	return c
}

// found is what a walk down the zone met.
type found struct {
	node     zones.Node // the name's node (found), the cut (cut) or the DNAME's owner (dname)
	encloser zones.Node // the closest encloser, when none of these
	found    bool
	cut      bool
	dname    bool // a DNAME owned by an ancestor of the name
}

// find walks from the apex down to w (canonical wire). It returns the node
// of w if it exists; else the closest encloser (the deepest existing
// ancestor); or the delegation or DNAME met on the way. A DS query for a
// delegation point itself is answered from the parent side, so that one
// cut is not a referral.
func (ix *zoneIndex) find(w []byte, qtype uint16) found {
	var offs [128]int // label starts of w below the apex, deepest first
	n := 0
	for off := 0; len(w)-off > len(ix.apex) && n < len(offs); off += 1 + int(w[off]) {
		offs[n] = off
		n++
	}
	encloser := ix.v.Apex()
	for i := n - 1; i >= 0; i-- {
		if encloser.DNAME() {
			return found{node: encloser, dname: true}
		}
		c, ok := ix.v.Lookup(w[offs[i]:])
		if !ok || nsec3Owner(c) {
			return found{encloser: encloser}
		}
		if c.Cut() && (i > 0 || qtype != dns.TypeDS) {
			return found{node: c, cut: true}
		}
		encloser = c
	}
	return found{node: encloser, found: true}
}

// substitute answers a name below the DNAME at n (RFC 6672 section
// 3.2): the DNAME, signed in a signed zone, and the CNAME it makes for
// the name, which is not (validators make it themselves). It returns the
// CNAME's target and whether the chain goes on inside the zone. A target
// too long to be a name is YXDOMAIN.
func (a *answering) substitute(n zones.Node, name string) (string, bool) {
	owner := suffixOf(name, zones.WireLabels(a.ix.v.Name(n)))
	set, _ := n.RRset(dns.TypeDNAME)
	rrs := set.Records(owner)
	a.m.Answer = append(a.m.Answer, rrs...)
	a.signAnswer(n, dns.TypeDNAME, owner)
	d := rrs[0].(*dns.DNAME)
	target := name[:len(name)-len(owner)] + d.Target
	if d.Target == "." {
		target = name[:len(name)-len(owner)]
	}
	if _, err := zones.AppendWireName(a.buf[:0], target); err != nil {
		a.m.Rcode = dns.RcodeYXDomain
		return "", false
	}
	a.m.Answer = append(a.m.Answer, &dns.CNAME{
		Hdr:    dns.RR_Header{Name: name, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: d.Hdr.Ttl},
		Target: target,
	})
	return target, dns.IsSubDomain(a.ix.origin, strings.ToLower(target))
}

// wildcardOf is the "*" child of the closest encloser n.
func (ix *zoneIndex) wildcardOf(n zones.Node) (zones.Node, bool) {
	var buf [256]byte
	name := ix.v.Name(n)
	if len(name)+2 > len(buf) {
		return zones.Node{}, false
	}
	w := append(append(buf[:0], 1, '*'), name...)
	return ix.v.Lookup(w)
}

// fromNode answers from an existing node (or a wildcard's, whose records
// then take owner as their name).
func (a *answering) fromNode(n zones.Node, owner string, qtype uint16) (string, bool) {
	a.nodata = false
	if qtype == dns.TypeANY && n.Len() > 0 {
		// RFC 8482: one RRset, the first in zone order, stands for all.
		a.m.Answer = append(a.m.Answer, n.At(0).Records(owner)...)
		a.signAnswer(n, n.At(0).Type, owner)
		return "", false
	}
	if s, ok := n.RRset(qtype); ok {
		a.m.Answer = append(a.m.Answer, s.Records(owner)...)
		a.signAnswer(n, qtype, owner)
		return "", false
	}
	if s, ok := n.RRset(dns.TypeCNAME); ok {
		rrs := s.Records(owner)
		a.m.Answer = append(a.m.Answer, rrs...)
		a.signAnswer(n, dns.TypeCNAME, owner)
		target := rrs[0].(*dns.CNAME).Target
		return target, dns.IsSubDomain(a.ix.origin, strings.ToLower(target))
	}
	a.m.Ns = append(a.m.Ns, a.negSOA()) // NODATA
	a.signNegSOA()
	a.nodata = true
	return "", false
}

// referral answers with the delegation at cut (named owner): NS in
// authority, their addresses held in the zone (glue) in additional, AA
// clear unless a CNAME chain led here from an answer.
func (a *answering) referral(cut zones.Node, owner string) {
	if len(a.m.Answer) == 0 {
		a.m.Authoritative = false
	}
	ns, _ := cut.RRset(dns.TypeNS)
	rrs := ns.Records(owner)
	a.m.Ns = append(a.m.Ns, rrs...)
	a.signReferral(cut, owner)
	for _, rr := range rrs {
		a.addAddresses(rr.(*dns.NS).Ns, true)
	}
}

// additional adds the addresses of the in-zone names that the answer's
// MX, SRV and NS records point at (RFC 1034 section 4.3.2 step 6). The
// additional section is the first to go when an answer is truncated.
func (a *answering) additional() {
	for _, rr := range a.m.Answer {
		switch r := rr.(type) {
		case *dns.MX:
			a.addAddresses(r.Mx, false)
		case *dns.SRV:
			a.addAddresses(r.Target, false)
		case *dns.NS:
			a.addAddresses(r.Ns, false)
		}
	}
}

// addAddresses adds the A and AAAA records of target when the zone holds
// them: authoritative data, or with glue the addresses at or below a cut.
func (a *answering) addAddresses(target string, glue bool) {
	w, ok := a.wire(target)
	if !ok || !zones.IsSubName(w, a.ix.apex) {
		return
	}
	var n zones.Node
	if glue {
		if n, ok = a.ix.v.Lookup(w); !ok {
			return
		}
	} else if f := a.ix.find(w, dns.TypeA); f.found {
		n = f.node
	} else {
		return
	}
	for _, t := range []uint16{dns.TypeA, dns.TypeAAAA} {
		s, ok := n.RRset(t)
		if !ok {
			continue
		}
		added := false
		for _, rr := range s.Records(target) {
			if !hasRR(a.m.Extra, rr) {
				a.m.Extra = append(a.m.Extra, rr)
				added = true
			}
		}
		// A signed RRset goes with its RRSIGs (RFC 4035 section 3.1.1);
		// glue below a cut is not signed and has none. Truncation drops
		// them before anything else, without TC (truncate).
		if added && a.do {
			a.m.Extra = sigsOf(a.m.Extra, n, t, target, 0)
		}
	}
}

func hasRR(rrs []dns.RR, rr dns.RR) bool {
	for _, o := range rrs {
		if dns.IsDuplicate(o, rr) {
			return true
		}
	}
	return false
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

// suffixOf is the last n labels of the presentation name s, as s spells
// them (escapes kept).
func suffixOf(s string, n int) string {
	if n == 0 {
		return "."
	}
	idx := dns.Split(s)
	if n >= len(idx) {
		return dns.Fqdn(s)
	}
	return dns.Fqdn(s[idx[len(idx)-n]:])
}
