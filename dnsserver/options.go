package dnsserver

import (
	"encoding/binary"

	"github.com/miekg/dns"
)

// The dns package parses the EDNS options it knows strictly: a client
// subnet option (RFC 7871) with an address family other than IPv4 or
// IPv6, or a prefix longer than the address, fails the whole message.
// This server uses none of those options, and NSD and Knot, which do not
// either, answer such a query as if the option were not there. So does
// this server: the option is taken out before the message is parsed.
// (A cookie always parses; one of a length RFC 7873 does not allow is
// answered FORMERR by the handler, as by NSD and Knot.)

// dropBrokenOptions returns b with each EDNS option that the dns package
// cannot parse taken out of its OPT record, or nil when
// there is none, when the OPT is not the message's last record (taking
// bytes out would move what later names point to), or when b carries a
// TSIG (its MAC covers the bytes as sent). b's layout must have passed
// layoutOK.
func dropBrokenOptions(b []byte) []byte {
	qd := int(binary.BigEndian.Uint16(b[4:]))
	rrs := int(binary.BigEndian.Uint16(b[6:])) + int(binary.BigEndian.Uint16(b[8:])) + int(binary.BigEndian.Uint16(b[10:]))
	off := headerLen
	for range qd {
		off = skipName(b, off) + 4
	}
	rdlenAt, end := -1, 0 // of the OPT
	for i := range rrs {
		off = skipName(b, off)
		typ := binary.BigEndian.Uint16(b[off:])
		next := off + 10 + int(binary.BigEndian.Uint16(b[off+8:]))
		switch typ {
		case dns.TypeTSIG:
			return nil
		case dns.TypeOPT:
			if i == rrs-1 {
				rdlenAt, end = off+8, next
			}
		}
		off = next
	}
	if rdlenAt < 0 {
		return nil
	}
	var kept []byte
	dropped := false
	for o := rdlenAt + 2; o+4 <= end; {
		n := 4 + int(binary.BigEndian.Uint16(b[o+2:]))
		if o+n > end {
			return nil // runs past the record: FORMERR, as from NSD and Knot
		}
		opt := b[o : o+n]
		if !optionParses(opt) {
			dropped = true
		} else {
			kept = append(kept, opt...)
		}
		o += n
	}
	if !dropped {
		return nil
	}
	out := append([]byte{}, b[:rdlenAt]...)
	out = binary.BigEndian.AppendUint16(out, uint16(len(kept)))
	out = append(out, kept...)
	return append(out, b[end:]...)
}

// optionParses reports whether the dns package parses the EDNS option
// opt (code, length, data) on its own.
func optionParses(opt []byte) bool {
	m := make([]byte, headerLen, headerLen+11+len(opt))
	binary.BigEndian.PutUint16(m[10:], 1) // one additional record
	m = append(m, 0, byte(dns.TypeOPT>>8), byte(dns.TypeOPT), 0x04, 0xd0, 0, 0, 0, 0)
	m = binary.BigEndian.AppendUint16(m, uint16(len(opt)))
	m = append(m, opt...)
	return new(dns.Msg).Unpack(m) == nil
}
