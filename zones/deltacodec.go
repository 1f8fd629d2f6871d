package zones

import (
	"encoding/binary"
	"fmt"

	"github.com/miekg/dns"
)

// A delta is written as its SOA records and changes in wire form:
//
//	SOA from, SOA to          each a wire record (owner uncompressed)
//	deleted count (uint32), deleted records
//	added count (uint32),   added records

// MarshalBinary encodes the delta.
func (d Delta) MarshalBinary() ([]byte, error) {
	out := make([]byte, 0, 128+32*(len(d.Deleted)+len(d.Added)))
	var err error
	if out, err = appendRR(out, d.From); err != nil {
		return nil, err
	}
	if out, err = appendRR(out, d.To); err != nil {
		return nil, err
	}
	for _, list := range [][]dns.RR{d.Deleted, d.Added} {
		out = binary.BigEndian.AppendUint32(out, uint32(len(list)))
		for _, rr := range list {
			if out, err = appendRR(out, rr); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// UnmarshalDelta decodes what MarshalBinary wrote.
func UnmarshalDelta(b []byte) (Delta, error) {
	var d Delta
	off := 0
	next := func() (dns.RR, error) {
		rr, n, err := dns.UnpackRR(b, off)
		if err != nil {
			return nil, fmt.Errorf("%w journal entry: record at byte %d: %v", ErrDamaged, off, err)
		}
		off = n
		return rr, nil
	}
	soa := func() (*dns.SOA, error) {
		rr, err := next()
		if err != nil {
			return nil, err
		}
		s, ok := rr.(*dns.SOA)
		if !ok {
			return nil, fmt.Errorf("%w journal entry: %s where an SOA belongs", ErrDamaged, dns.Type(rr.Header().Rrtype))
		}
		return s, nil
	}
	var err error
	if d.From, err = soa(); err != nil {
		return d, err
	}
	if d.To, err = soa(); err != nil {
		return d, err
	}
	for _, list := range []*[]dns.RR{&d.Deleted, &d.Added} {
		if off+4 > len(b) {
			return d, fmt.Errorf("%w journal entry: cut short", ErrDamaged)
		}
		n := binary.BigEndian.Uint32(b[off:])
		off += 4
		if int(n) > len(b) {
			return d, fmt.Errorf("%w journal entry: count %d too large", ErrDamaged, n)
		}
		for range n {
			rr, err := next()
			if err != nil {
				return d, err
			}
			*list = append(*list, rr)
		}
	}
	if off != len(b) {
		return d, fmt.Errorf("%w journal entry: %d bytes left over", ErrDamaged, len(b)-off)
	}
	return d, nil
}

// appendRR appends rr in uncompressed wire form.
func appendRR(out []byte, rr dns.RR) ([]byte, error) {
	buf := make([]byte, dns.Len(rr)+maxWireName)
	n, err := dns.PackRR(dns.Copy(rr), buf, 0, nil, false)
	if err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", rr.Header().Name, typeName(rr), err)
	}
	return append(out, buf[:n]...), nil
}
