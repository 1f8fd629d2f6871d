package dnsserver

import (
	"encoding/binary"

	"github.com/miekg/dns"
)

// The dns package parses a message as far as its content goes and
// trusts neither the header's counts nor what follows: a query whose
// header announces records it does not hold would be answered as if the
// counts were right. NSD and Knot answer it FORMERR, and so does this
// server: the reader walks the sections before the dns package sees them.

const headerLen = 12

// layoutOK reports whether b holds every question and record its header
// counts. Bytes after the last record are allowed, as NSD allows them.
func layoutOK(b []byte) bool {
	if len(b) < headerLen {
		return false
	}
	qd := int(binary.BigEndian.Uint16(b[4:]))
	rrs := int(binary.BigEndian.Uint16(b[6:])) + int(binary.BigEndian.Uint16(b[8:])) + int(binary.BigEndian.Uint16(b[10:]))
	off := headerLen
	for range qd {
		if off = skipName(b, off); off < 0 || off+4 > len(b) {
			return false
		}
		off += 4 // type, class
	}
	for range rrs {
		if off = skipName(b, off); off < 0 || off+10 > len(b) {
			return false
		}
		off += 10 + int(binary.BigEndian.Uint16(b[off+8:])) // type, class, ttl, rdlength, rdata
		if off > len(b) {
			return false
		}
	}
	return true
}

// skipName returns the offset after the domain name at off, or -1 when
// the name runs past the message, is longer than 255 bytes, uses a label
// type other than a length or a compression pointer, or has a pointer
// that does not point back to a prior occurrence (RFC 1035 section
// 4.1.4; NSD answers such a message FORMERR too).
func skipName(b []byte, off int) int {
	for n := 0; off < len(b); {
		c := int(b[off])
		switch c & 0xC0 {
		case 0x00:
			if c == 0 {
				return off + 1
			}
			if n += c + 1; n > 254 {
				return -1
			}
			off += c + 1
		case 0xC0:
			if off+2 > len(b) || int(binary.BigEndian.Uint16(b[off:])&0x3FFF) >= off {
				return -1
			}
			return off + 2
		default:
			return -1
		}
	}
	return -1
}

// screen returns the message the dns package should parse and hand to
// ServeDNS, and ok false when there is none. A query whose layout is
// broken it answers FORMERR itself, through the writer reply makes,
// rate-limited and counted like every answer. An EDNS option the dns
// package cannot parse is taken out (options.go). Responses, and
// messages too short for a header, go on to the dns package, which drops
// them.
func (s *Server) screen(b []byte, reply func() dns.ResponseWriter) (msg []byte, ok bool) {
	if len(b) < headerLen || b[2]&0x80 != 0 {
		return b, true
	}
	if layoutOK(b) {
		if fixed := dropBrokenOptions(b); fixed != nil {
			return fixed, true
		}
		return b, true
	}
	s.formErr(reply(), b)
	return nil, false
}

// formErr answers the query b FORMERR, with its question when that
// parses on its own.
func (s *Server) formErr(w dns.ResponseWriter, b []byte) {
	r := formErrQuery(b)
	m := replyTo(r)
	m.Rcode = dns.RcodeFormatError
	s.write(w, r, m, s.countsFor(s.zoneOf(r)))
}

// formErrQuery is what can be read of a malformed query b: its header,
// and its first question if that parses on its own.
func formErrQuery(b []byte) *dns.Msg {
	r := new(dns.Msg)
	h := binary.BigEndian.Uint16(b[2:])
	r.Id = binary.BigEndian.Uint16(b)
	r.Opcode = int(h>>11) & 0xF
	r.RecursionDesired = h&(1<<8) != 0
	r.CheckingDisabled = h&(1<<4) != 0
	if binary.BigEndian.Uint16(b[4:]) == 0 {
		return r
	}
	end := skipName(b, headerLen)
	if end < 0 || end+4 > len(b) {
		return r
	}
	q := append([]byte{}, b[:end+4]...)
	binary.BigEndian.PutUint16(q[4:], 1)
	clear(q[6:headerLen])
	parsed := new(dns.Msg)
	if parsed.Unpack(q) == nil && len(parsed.Question) == 1 {
		r.Question = parsed.Question
	}
	return r
}
