package zones

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/miekg/dns"
)

// A snapshot is a version written whole in a compact binary form, so that
// a restart serves the zone again without parsing text:
//
//	"ZRWSNAP1"
//	origin           wire name, with a 1-byte length before it
//	records          uint32
//	per owner name:  wire name, uint16 RRset count,
//	                 per RRset: uint16 type, uint16 count, uint32 length, records (RRset.Wire layout)
//	crc32c           uint32 of everything between the magic and itself
//
// Integers are big-endian.
const snapshotMagic = "ZRWSNAP1"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrDamaged marks a snapshot or journal whose bytes are not what was
// written: truncated, altered, or not a zonerw file at all.
var ErrDamaged = errors.New("damaged")

// WriteSnapshot writes the whole version to w.
func (v *Version) WriteSnapshot(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(snapshotMagic)
	crc := crc32.New(castagnoli)
	out := io.MultiWriter(bw, crc)
	apex := v.ApexWire()
	var scratch [8]byte
	out.Write([]byte{byte(len(apex))})
	out.Write(apex)
	binary.BigEndian.PutUint32(scratch[:4], uint32(v.Records()))
	out.Write(scratch[:4])
	v.Each(func(name []byte, n Node) bool {
		out.Write(name)
		binary.BigEndian.PutUint16(scratch[:2], uint16(n.Len()))
		out.Write(scratch[:2])
		for i := range n.Len() {
			s := n.At(i)
			binary.BigEndian.PutUint16(scratch[:2], s.Type)
			binary.BigEndian.PutUint16(scratch[2:4], uint16(s.Count))
			binary.BigEndian.PutUint32(scratch[4:8], uint32(len(s.Wire)))
			out.Write(scratch[:8])
			out.Write(s.Wire)
		}
		return true
	})
	binary.BigEndian.PutUint32(scratch[:4], crc.Sum32())
	bw.Write(scratch[:4])
	return bw.Flush()
}

// ReadSnapshot reads a snapshot of the zone origin written by
// WriteSnapshot. A snapshot whose bytes do not check out is an error
// wrapping ErrDamaged; file names it in errors.
func ReadSnapshot(data []byte, origin, file string) (*Version, error) {
	damaged := func(what string) error { return fmt.Errorf("%s: %w snapshot: %s", file, ErrDamaged, what) }
	if len(data) < len(snapshotMagic)+4 || string(data[:len(snapshotMagic)]) != snapshotMagic {
		return nil, damaged("not a zonerw snapshot")
	}
	body := data[len(snapshotMagic) : len(data)-4]
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(data[len(data)-4:]) {
		return nil, damaged("checksum mismatch (truncated or altered)")
	}
	r := &wireReader{b: body}
	apex := r.bytes(int(r.u8()))
	total := int(r.u32())
	b, err := NewBuilder(origin, file, total)
	if err != nil {
		return nil, err
	}
	if r.err == nil && string(apex) != string(b.apex) {
		return nil, fmt.Errorf("%s: snapshot of zone %s, not %s", file, WireNameText(apex), b.origin)
	}
	for r.err == nil && r.off < len(r.b) {
		if err := b.readOwner(r); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
	}
	if r.err != nil {
		return nil, damaged(r.err.Error())
	}
	base, err := b.Finish()
	if err != nil {
		return nil, fmt.Errorf("%s: stored version does not validate: %w", file, err)
	}
	return NewVersion(base, base.soa.Serial, nil)
}

// readOwner adds one owner's records from a snapshot.
func (b *Builder) readOwner(r *wireReader) error {
	nl := wireNameLen(r.b[r.off:])
	if nl < 0 {
		return fmt.Errorf("%w snapshot: bad owner name at byte %d", ErrDamaged, r.off)
	}
	owner := r.bytes(nl)
	for range r.u16() {
		rtype, count, size := r.u16(), r.u16(), r.u32()
		wire := r.bytes(int(size))
		if r.err != nil {
			return nil
		}
		s := RRset{Type: rtype, Count: int(count), Wire: wire}
		for off := 0; off < len(wire); {
			if off+10 > len(wire) {
				return fmt.Errorf("%w snapshot: record cut short at %s", ErrDamaged, WireNameText(owner))
			}
			rec, next := s.Next(off)
			if next > len(wire) {
				return fmt.Errorf("%w snapshot: record cut short at %s", ErrDamaged, WireNameText(owner))
			}
			if err := b.addWire(owner, rec, 0); err != nil {
				return err
			}
			off = next
		}
	}
	return nil
}

// addWire adds a record given in wire form: its canonical owner name and
// the record in the RRset.Wire layout.
func (b *Builder) addWire(owner, rec []byte, line int) error {
	rtype, ttl, rdata, _ := recordAt(rec, 0)
	if !isSubWire(owner, b.apex) {
		return fmt.Errorf("%s %s: outside the zone %s", WireNameText(owner), dns.Type(rtype), b.origin)
	}
	if len(b.recs) == b.limit {
		return fmt.Errorf("more than %d records", b.limit)
	}
	if rtype == dns.TypeSOA && len(owner) == len(b.apex) && b.soa == nil {
		rr, _, err := dns.UnpackRR(append(append([]byte(nil), owner...), rec...), 0)
		if err != nil {
			return fmt.Errorf("%w snapshot: soa: %v", ErrDamaged, err)
		}
		b.soa = rr.(*dns.SOA)
	}
	idx := b.addName(owner)
	b.recs = append(b.recs, staged{name: idx, rtype: rtype, rdlen: uint16(len(rdata)), ttl: ttl,
		off: uint32(len(b.rdata)), line: uint32(line), slot: -1})
	b.rdata = append(b.rdata, rdata...)
	return nil
}

// wireReader reads big-endian fields, remembering the first overrun.
type wireReader struct {
	b   []byte
	off int
	err error
}

func (r *wireReader) bytes(n int) []byte {
	if r.err != nil || n < 0 || r.off+n > len(r.b) {
		if r.err == nil {
			r.err = fmt.Errorf("cut short at byte %d", r.off)
		}
		return nil
	}
	out := r.b[r.off : r.off+n]
	r.off += n
	return out
}

func (r *wireReader) u8() uint8 {
	if b := r.bytes(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *wireReader) u16() uint16 {
	if b := r.bytes(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (r *wireReader) u32() uint32 {
	if b := r.bytes(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}
