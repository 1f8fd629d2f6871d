package templates

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
)

// Render fills the markers: the serial, and for each record with an address
// marker one copy of the record per address, in the order given. It is
// deterministic and does not change t. Errors name the file and line of the
// marker; when there are several they are joined.
func (t *Template) Render(v Values) ([]byte, error) {
	var out bytes.Buffer
	out.Grow(t.size + t.size/16) // the text, and room for what markers add
	errs := lineErrors{file: t.file}
	for _, b := range t.blocks {
		if b.addr == nil {
			t.write(&out, b, fill{serial: v.Serial})
			continue
		}
		addrs, err := b.addr.pick(v)
		if err != nil {
			errs.add(b.addr.line, "%w", err)
			continue
		}
		f := fill{serial: v.Serial, ttl: v.TTL[b.addr.service]}
		for i, a := range addrs {
			if i > 0 && t.lines[b.last].eol == "" {
				out.WriteString(t.eolBefore(b))
			}
			f.addr = a
			t.write(&out, b, f)
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// eolBefore returns the line terminator to put between copies of a block
// whose last line has none: the one the line before it uses, else "\n".
func (t *Template) eolBefore(b block) string {
	if b.first > 0 {
		return t.lines[b.first-1].eol
	}
	return "\n"
}

// fill is what one copy of a block is rendered with.
type fill struct {
	serial uint32
	addr   netip.Addr
	ttl    uint32 // 0: keep the line's TTL
}

// write renders one copy of a block.
func (t *Template) write(out *bytes.Buffer, b block, f fill) {
	e := 0
	for i := b.first; i <= b.last; i++ {
		text, pos := t.lines[i].text, 0
		for ; e < len(b.edits) && b.edits[e].line == i; e++ {
			ed := b.edits[e]
			out.WriteString(text[pos:ed.start])
			out.WriteString(f.value(ed, text))
			pos = ed.end
		}
		out.WriteString(text[pos:])
		out.WriteString(t.lines[i].eol)
	}
}

// value is the text an edit puts in place of text[ed.start:ed.end].
func (f fill) value(ed edit, text string) string {
	switch ed.kind {
	case editSerial:
		return strconv.FormatUint(uint64(f.serial), 10)
	case editAddr:
		return f.addr.String()
	case editTTL:
		if f.ttl == 0 {
			return text[ed.start:ed.end]
		}
		return strconv.FormatUint(uint64(f.ttl), 10)
	}
	if f.ttl == 0 {
		return ""
	}
	sep := " "
	if ed.start > 0 && text[ed.start-1] == '\t' {
		sep = "\t"
	}
	return strconv.FormatUint(uint64(f.ttl), 10) + sep
}

// pick returns the addresses the marker stands for now, checked to be of
// the marker's family and writable in a zone file.
func (u *addrUse) pick(v Values) ([]netip.Addr, error) {
	family, addrs := "IPv4", v.Active[u.service].IPv4
	if u.v6 {
		family, addrs = "IPv6", v.Active[u.service].IPv6
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("%s: no %s address given for service %q", u.text, family, u.service)
	}
	out := make([]netip.Addr, len(addrs))
	for i, a := range addrs {
		if !u.v6 {
			a = a.Unmap()
		}
		ok := a.Is4()
		if u.v6 {
			ok = a.Is6() && !a.Is4In6()
		}
		switch {
		case !ok:
			return nil, fmt.Errorf("%s: service %q: address %s is not %s", u.text, u.service, a, family)
		case a.Zone() != "":
			return nil, fmt.Errorf("%s: service %q: address %s has a zone, which a zone file cannot hold", u.text, u.service, a)
		}
		out[i] = a
	}
	return out, nil
}
