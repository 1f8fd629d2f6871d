package dnsserver

import (
	"bytes"
	"strings"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

// This file holds what a query with the DO bit gets from a signed zone
// (RFC 4035 section 3.1): the RRSIGs of every RRset in the answer and
// authority sections, and the NSEC or NSEC3 records that prove a name or
// a type absent, a wildcard used, or a delegation unsigned. Queries
// without DO never come here.

// wantsDNSSEC reports a query with EDNS and the DO bit.
func wantsDNSSEC(r *dns.Msg) bool {
	opt := ednsOf(r)
	return opt != nil && opt.Do()
}

// signedZone is what a DO answer needs to know of the zone.
type signedZone struct {
	nsec3 bool // denial by NSEC3 (else NSEC)
}

// dnssecOf returns how ix is signed, and false for a zone not signed.
func (ix *zoneIndex) dnssecOf() (signedZone, bool) {
	if !ix.v.Signed() {
		return signedZone{}, false
	}
	_, nsec3 := ix.v.Apex().RRset(dns.TypeNSEC3PARAM)
	return signedZone{nsec3: nsec3}, true
}

// sigsOf appends to rrs the RRSIGs at n covering type t, owned by owner,
// with the given TTL (0: the signature's own).
func sigsOf(rrs []dns.RR, n zones.Node, t uint16, owner string, ttl uint32) []dns.RR {
	s, ok := n.RRset(dns.TypeRRSIG)
	if !ok {
		return rrs
	}
	for _, rr := range s.Records(owner) {
		if sig := rr.(*dns.RRSIG); sig.TypeCovered == t {
			if ttl != 0 {
				sig.Hdr.Ttl = ttl
			}
			rrs = append(rrs, sig)
		}
	}
	return rrs
}

// signAnswer adds the RRSIGs of the RRset of type t at n (owned by owner)
// to the answer section.
func (a *answering) signAnswer(n zones.Node, t uint16, owner string) {
	if a.do {
		a.m.Answer = sigsOf(a.m.Answer, n, t, owner, 0)
	}
}

// signNegSOA adds the RRSIG of the apex SOA, with the negative TTL, after
// the SOA in authority.
func (a *answering) signNegSOA() {
	if a.do {
		a.m.Ns = sigsOf(a.m.Ns, a.ix.v.Apex(), dns.TypeSOA, a.apexOwner, a.ix.negSOA.Header().Ttl)
	}
}

// addDenial adds the NSEC or NSEC3 record at the owner found by
// Predecessor for w, and its RRSIGs, to authority (once).
func (a *answering) addDenial(w []byte) {
	rtype := dns.TypeNSEC
	if a.sz.nsec3 {
		rtype = dns.TypeNSEC3
	}
	name, n, ok := a.ix.v.Predecessor(w, rtype)
	if !ok {
		return
	}
	owner := zones.WireNameText(name)
	for _, rr := range a.m.Ns {
		if rr.Header().Rrtype == rtype && strings.EqualFold(rr.Header().Name, owner) {
			return
		}
	}
	s, _ := n.RRset(rtype)
	a.m.Ns = append(a.m.Ns, s.Records(owner)...)
	a.m.Ns = sigsOf(a.m.Ns, n, rtype, owner, 0)
}

// hashed is the wire name of the NSEC3 owner that w hashes to (RFC 9276
// parameters: SHA-1, no salt, no extra iterations), or nil.
func (a *answering) hashed(w []byte) []byte {
	h := dns.HashName(zones.WireNameText(w), dns.SHA1, 0, "")
	out, err := zones.AppendWireName(nil, strings.ToLower(h)+"."+a.ix.origin)
	if err != nil {
		return nil
	}
	return out
}

// deny proves the name w: with NSEC, the record at or before it; with
// NSEC3, the one matching or covering its hash.
func (a *answering) deny(w []byte) {
	if a.sz.nsec3 {
		if h := a.hashed(w); h != nil {
			a.addDenial(h)
		}
		return
	}
	a.addDenial(w)
}

// nextCloser is the name one label longer than encloser on the way to w.
func nextCloser(w, encloser []byte) []byte {
	want := zones.WireLabels(encloser) + 1
	for off := 0; off < len(w); off += 1 + int(w[off]) {
		if zones.WireLabels(w[off:]) == want {
			return w[off:]
		}
	}
	return w
}

// wildcardName is "*." + encloser.
func wildcardName(encloser []byte) []byte {
	return append([]byte{1, '*'}, encloser...)
}

// proveNXDOMAIN proves that w does not exist and no wildcard at its
// closest encloser could have answered (RFC 4035 section 3.1.3.2, RFC
// 5155 section 7.2.2).
func (a *answering) proveNXDOMAIN(qw []byte, encloser zones.Node) {
	if !a.do {
		return
	}
	w := bytes.Clone(qw) // qw is in a.buf: keep a from escaping with it
	enc := a.ix.v.Name(encloser)
	if a.sz.nsec3 {
		a.deny(enc)                // the closest encloser exists
		a.deny(nextCloser(w, enc)) // the next closer name does not
		a.deny(wildcardName(enc))  // nor the wildcard
		return
	}
	a.deny(w)
	a.deny(wildcardName(enc))
}

// proveNODATA proves that the existing name w (or an empty non-terminal)
// holds no RRset of the type asked (RFC 4035 section 3.1.3.1); also what
// a referral to an unsigned delegation carries.
func (a *answering) proveNODATA(w []byte) {
	if a.do {
		a.deny(bytes.Clone(w))
	}
}

// proveWildcard proves, for an answer synthesized from the wildcard
// below encloser, that the name w itself does not exist (RFC 4035
// section 3.1.3.3, RFC 5155 section 7.2.6); with nodata, also that the
// wildcard lacks the type (RFC 4035 section 3.1.3.4, RFC 5155 section
// 7.2.5).
func (a *answering) proveWildcard(qw []byte, encloser zones.Node, nodata bool) {
	if !a.do {
		return
	}
	w := bytes.Clone(qw)
	enc := a.ix.v.Name(encloser)
	if a.sz.nsec3 {
		if nodata {
			a.deny(enc)
		}
		a.deny(nextCloser(w, enc))
	} else {
		a.deny(w)
	}
	if nodata {
		a.deny(wildcardName(enc))
	}
}

// signReferral adds to a referral the cut's DS and its RRSIGs, or the
// proof that it has none (an unsigned delegation).
func (a *answering) signReferral(cut zones.Node, owner string) {
	if !a.do {
		return
	}
	if ds, ok := cut.RRset(dns.TypeDS); ok {
		a.m.Ns = append(a.m.Ns, ds.Records(owner)...)
		a.m.Ns = sigsOf(a.m.Ns, cut, dns.TypeDS, owner, 0)
		return
	}
	a.proveNODATA(a.ix.v.Name(cut))
}

// nsec3Owner reports a node that only holds an NSEC3 record (and its
// signatures): a hashed name, which a query must not find (RFC 5155
// section 7.2.8).
func nsec3Owner(n zones.Node) bool {
	if n.Len() == 0 || n.Len() > 2 {
		return false
	}
	_, ok := n.RRset(dns.TypeNSEC3)
	return ok
}

// answerSigned is answer for a query with the DO bit to a signed zone.
func (ix *zoneIndex) answerSigned(m *dns.Msg, qname string, qtype uint16, sz signedZone) {
	ix.answerWith(m, qname, qtype, true, sz)
}
