package dnsserver

import (
	"encoding/binary"
	"net/netip"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/dnsserver/rrl"
	"github.com/zonerw/zonerw/zones"
)

// The fast path answers the common UDP query straight from the zone's
// wire form into the reply buffer: no dns.Msg, no allocation. It takes a
// query only when its answer is simple and the same as ServeDNS would
// give (a differential test holds them equal):
//
//   - a plain QUERY with one question of class IN, no other records but
//     at most one OPT (version 0, no DO bit, no options), and a name
//     without compression inside a zone served now;
//   - a name that exists, holding an RRset of the type asked for (an
//     answer), or neither that type nor a CNAME (NODATA); or a name that
//     does not exist, with no wildcard to synthesise from (NXDOMAIN);
//   - not at or below a delegation, not a type whose answer carries
//     additional addresses (MX, SRV, NS), DS or a meta type;
//   - a reply that fits the client's UDP size.
//
// Everything else (and anything unusual at all) goes to ServeDNS, the
// full path, which stays the reference for every answer.

// Fast-path answer sizes: the reply is built in a buffer of this size.
const fastReplyMax = 4096

// fastQuery is a query as the fast path reads it.
type fastQuery struct {
	id       uint16
	flags    uint16 // the query's second header word
	qname    []byte // the name as asked (its case kept), within the query
	qtype    uint16
	question []byte // the whole question section, as received
	edns     bool   // the query had an OPT record
	udpSize  int    // the largest reply the client takes
}

// parseFast reads q when it has the shape the fast path takes, into fq,
// and the question's name in canonical wire form into lbuf, returning its
// length; ok is false for any other shape. (The name goes to a buffer the
// caller owns, and not into fq, so that it stays on the caller's stack.)
func parseFast(q []byte, fq *fastQuery, lbuf *[256]byte) (lname int, ok bool) {
	if len(q) < headerLen+5 {
		return 0, false
	}
	flags := binary.BigEndian.Uint16(q[2:])
	if flags&0xf800 != 0 { // QR set, or an opcode other than QUERY
		return 0, false
	}
	if binary.BigEndian.Uint16(q[4:]) != 1 || binary.BigEndian.Uint16(q[6:]) != 0 || binary.BigEndian.Uint16(q[8:]) != 0 {
		return 0, false
	}
	ar := binary.BigEndian.Uint16(q[10:])
	if ar > 1 {
		return 0, false
	}
	off, n := headerLen, 0
	for {
		if off >= len(q) {
			return 0, false
		}
		l := int(q[off])
		if l == 0 {
			lbuf[n] = 0
			n++
			off++
			break
		}
		if l > 63 || off+1+l > len(q) || n+1+l >= len(lbuf) {
			return 0, false // compression, bad label, or too long
		}
		lbuf[n] = byte(l)
		for i := 1; i <= l; i++ {
			c := q[off+i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			lbuf[n+i] = c
		}
		n += 1 + l
		off += 1 + l
	}
	if off+4 > len(q) {
		return 0, false
	}
	fq.id, fq.flags = binary.BigEndian.Uint16(q), flags
	fq.qname = q[headerLen:off]
	fq.qtype = binary.BigEndian.Uint16(q[off:])
	if binary.BigEndian.Uint16(q[off+2:]) != dns.ClassINET {
		return 0, false
	}
	fq.question = q[headerLen : off+4]
	off += 4
	fq.edns, fq.udpSize = false, dns.MinMsgSize
	if ar == 1 {
		// OPT: root owner, type OPT, class = UDP size, TTL = extended
		// rcode, version, flags; no options; nothing after it.
		if off+11 != len(q) || q[off] != 0 || binary.BigEndian.Uint16(q[off+1:]) != dns.TypeOPT ||
			q[off+6] != 0 || q[off+7]&0x80 != 0 || binary.BigEndian.Uint16(q[off+9:]) != 0 {
			return 0, false
		}
		fq.edns = true
		fq.udpSize = max(dns.MinMsgSize, int(binary.BigEndian.Uint16(q[off+3:])))
	} else if off != len(q) {
		return 0, false
	}
	return n, fastType(fq.qtype)
}

// fastType reports whether answers of type t can take the fast path: not
// the types whose answer carries additional addresses, not DS (answered
// from the parent side of a cut) and not the meta types.
func fastType(t uint16) bool {
	switch t {
	case dns.TypeMX, dns.TypeSRV, dns.TypeNS, dns.TypeDS, dns.TypeANY, dns.TypeAXFR, dns.TypeIXFR,
		dns.TypeOPT, dns.TypeTSIG, dns.TypeTKEY, dns.TypeMAILA, dns.TypeMAILB:
		return false
	}
	return t != 0
}

// fastAnswer writes the answer to the UDP query q from addr into out and
// returns its length; 0 means the query takes the full path, and -1 that
// the rate limiter dropped the answer (nothing is sent).
func (s *Server) fastAnswer(q []byte, addr netip.Addr, out []byte) int {
	var fq fastQuery
	var lbuf [256]byte
	n, ok := parseFast(q, &fq, &lbuf)
	if !ok {
		return 0
	}
	lname := lbuf[:n]
	ix := s.snap.Load().zoneForWire(lname)
	if ix == nil {
		return 0
	}
	rcode, set, ok := ix.fastLookup(lname, fq.qtype)
	if !ok {
		return 0
	}
	kind := rrl.Positive
	switch {
	case rcode == dns.RcodeNameError:
		kind = rrl.NXDomain
	case set.Count == 0:
		kind = rrl.NoData
	}
	slip := false
	if s.rrl != nil && !s.peers.admitted(addr, "") {
		switch s.rrl.Allow(addr, s.now(), kind) {
		case rrl.Drop:
			s.stats.rrlDropped.Add(1)
			return -1
		case rrl.Slip:
			s.stats.rrlSlipped.Add(1)
			slip = true
		}
	}
	size := ix.fastReply(&fq, rcode, set, slip, s.cfg.UDPSize, out)
	if size == 0 {
		return 0
	}
	ix.counts.queries[typeIndex(fq.qtype)][rcodeIndex(rcode)].Add(1)
	return size
}

// fastLookup finds the answer to lname/qtype: NOERROR with the RRset (a
// zero RRset for NODATA) or NXDOMAIN; ok is false for anything the fast
// path leaves to the full one (a cut, a DNAME, a CNAME, a wildcard).
func (ix *zoneIndex) fastLookup(lname []byte, qtype uint16) (rcode int, set zones.RRset, ok bool) {
	f := ix.find(lname, qtype)
	switch {
	case f.cut, f.dname:
		return 0, set, false
	case f.found:
		if s, has := f.node.RRset(qtype); has {
			return dns.RcodeSuccess, s, true
		}
		if _, cname := f.node.RRset(dns.TypeCNAME); cname {
			return 0, set, false
		}
		return dns.RcodeSuccess, set, true
	case f.encloser.WildcardChild():
		return 0, set, false
	}
	return dns.RcodeNameError, set, true
}

// fastReply writes the reply into out: the query's header bits it keeps
// (RD, CD), AA, the question as asked, the RRset owned by a pointer to
// the question's name (so it keeps the question's case), or the negative
// SOA owned by a pointer to the apex within the question's name; an OPT
// when the query had one. It returns 0 when the reply would not fit the
// client's UDP size (the full path truncates).
func (ix *zoneIndex) fastReply(fq *fastQuery, rcode int, set zones.RRset, slip bool, udpSize uint16, out []byte) int {
	limit := dns.MinMsgSize
	if fq.edns {
		limit = min(fq.udpSize, int(udpSize), len(out))
	}
	an, ns := set.Count, 0
	if set.Count == 0 {
		ns = 1
	}
	if slip {
		an, ns = 0, 0
	}
	ar := 0
	if fq.edns {
		ar = 1
	}
	size := headerLen + len(fq.question) + 11*ar
	if !slip {
		size += len(set.Wire) + 2*set.Count + ns*(2+len(ix.negSOAWire))
	}
	if size > limit {
		return 0
	}
	b := out[:0]
	flags := uint16(0x8400) | fq.flags&0x0110 | uint16(rcode) // QR, AA; RD and CD kept
	if slip {
		flags |= 0x0200 // TC
	}
	b = binary.BigEndian.AppendUint16(b, fq.id)
	b = binary.BigEndian.AppendUint16(b, flags)
	b = binary.BigEndian.AppendUint16(b, 1)
	b = binary.BigEndian.AppendUint16(b, uint16(an))
	b = binary.BigEndian.AppendUint16(b, uint16(ns))
	b = binary.BigEndian.AppendUint16(b, uint16(ar))
	b = append(b, fq.question...)
	if !slip {
		for off := 0; off < len(set.Wire); {
			rec, next := set.Next(off)
			b = append(b, 0xc0, headerLen)
			b = append(b, rec...)
			off = next
		}
		if ns == 1 {
			apex := headerLen + len(fq.qname) - len(ix.apex)
			b = append(b, 0xc0|byte(apex>>8), byte(apex))
			start := len(b)
			b = append(b, ix.negSOAWire...)
			for _, p := range ix.negSOAPtrs {
				if p != 0 {
					b[start+p], b[start+p+1] = 0xc0|byte(apex>>8), byte(apex)
				}
			}
		}
	}
	if fq.edns {
		// root owner, type OPT, class = our UDP size, TTL (extended
		// rcode, version 0, flags) 0, no options
		b = append(b, 0, byte(dns.TypeOPT>>8), byte(dns.TypeOPT), byte(udpSize>>8), byte(udpSize), 0, 0, 0, 0, 0, 0)
	}
	return len(b)
}
