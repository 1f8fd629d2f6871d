package zones

import (
	"bytes"
	"math"
	"net/netip"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// The fast reader.
//
// Nearly every line of a big zone reads like "h123 IN A 10.0.0.1": an
// owner, a TTL or class or both, A, AAAA or CNAME, one address or name.
// miekg/dns's parser spends most of a load on lines like these (a lexer
// token at a time, a dns.RR per record, which the Builder then packs
// again). The fast reader turns such a line straight into the record's
// wire form for the Builder, and hands every other record to miekg/dns's
// parser, with its owner and TTL made explicit, in the order of the file.
//
// It is only an accelerator. It follows the parser's rules for what it
// handles itself ($ORIGIN, $TTL and the default TTL, blank owners, TTL
// units, the TTL and class in either order), and gives up at anything it
// is not sure of: $INCLUDE, $GENERATE, an escape or quote before the type,
// a name that is not plain letters, digits, '-', '_' and '*', a TTL or
// class or type spelled in a way it does not know, any error at all. Then
// the Builder is emptied and the whole text is read again by miekg/dns's
// parser alone, so that what is accepted, and every error message, are
// the parser's own. FuzzFastRead checks the two ways agree.

// fastReader reads one zone text into a Builder.
type fastReader struct {
	b      *Builder
	text   []byte
	slotAt func(line int) (key string, ok bool)

	origin      string // completes relative names, as the parser's origin
	originWire  []byte // origin in wire form, nil when it is not a plain name
	ttl         uint32 // the default TTL
	byDirective bool   // ttl was set by $TTL (else by the last explicit TTL)

	// The last owner, for the lines that start with a blank.
	owner       []byte // as written
	ownerOrigin string // the origin it was written under
	ownerWire   []byte // wire form, case as written; nil when not plain

	line int // of the entry being read

	// Records for the parser, each with its owner and TTL written out,
	// read when a record of the fast kind comes or the origin changes.
	pend       []byte
	pendLines  []int
	pendOwners []string
	pendOrigin string

	wire  []byte // scratch: an owner in wire form
	rdata []byte // scratch
}

// readFast reads text into the empty Builder b. It reports false when it
// gave up; b then holds part of the zone and must be emptied.
func readFast(b *Builder, text []byte, slotAt func(int) (string, bool)) bool {
	r := &fastReader{b: b, text: text, slotAt: slotAt, origin: b.origin, ttl: defaultTTL}
	r.originWire, _ = appendPlainName(nil, []byte(b.origin), nil)
	return r.run() && r.flush()
}

func (r *fastReader) run() bool {
	text := r.text
	for off, line := 0, 1; off < len(text); {
		end := off + bytes.IndexByte(text[off:], '\n')
		if end < off {
			end = len(text)
		}
		ln := text[off:end]
		if i := bytes.IndexByte(ln, '\r'); i >= 0 && i != len(ln)-1 {
			return false // the parser drops a CR inside a token
		}
		r.line = line
		next, lines, ok := r.entry(off, ln)
		if !ok {
			return false
		}
		off, line = next, line+lines
	}
	return true
}

// entry reads the entry that starts with the line ln at off. It returns
// where the next one starts and how many lines this one took.
func (r *fastReader) entry(off int, ln []byte) (next, lines int, ok bool) {
	next, lines = off+len(ln)+1, 1
	// content is the line up to a comment; special is set when it holds
	// a quote, an escape or a parenthesis, which only the parser reads.
	content, special := ln, false
	if i := bytes.IndexAny(ln, ";\"\\()"); i >= 0 {
		content, special = ln[:i], ln[i] != ';'
		if c := ln[i:]; !special && len(c) > 400 && bytes.IndexByte(c[1:], ';') >= 0 {
			return 0, 0, false // the lexer refuses a ';' that far into a comment
		}
	}
	toks := tokens{s: content}
	first, at := toks.next()
	if first == nil {
		return next, lines, !special // a blank line, or a comment
	}
	t := first
	if !isBlank(ln[0]) {
		if ln[0] == '$' {
			return next, lines, !special && r.directive(first, &toks)
		}
		if !plainName(first) || r.origin == "" {
			return 0, 0, false
		}
		r.owner, r.ownerOrigin = first, r.origin
		w, ok := appendPlainName(r.ownerWire[:0], first, r.originWire)
		if !ok {
			w = r.ownerWire[:0] // a relative name under an origin that is not plain
		}
		r.ownerWire = w
		t, at = toks.next()
	} else if r.owner == nil {
		return 0, 0, false
	}
	// Up to one TTL and one class, in either order, then the type.
	ttl, seenTTL, seenClass := r.ttl, false, false
	var rtype uint16
	for ; t != nil; t, at = toks.next() {
		kind, typ := kindOf(t)
		if kind == tokType {
			rtype = typ
			break
		}
		switch {
		case kind == tokIN && !seenClass:
			seenClass = true
		case kind == tokTTL && !seenTTL:
			v, ok := stringToTTL(t)
			if !ok {
				return 0, 0, false
			}
			ttl, seenTTL = v, true
		default:
			return 0, 0, false
		}
	}
	if rtype == 0 {
		return 0, 0, false // no type before the data: the parser says why
	}
	if seenTTL && !r.byDirective {
		r.ttl = ttl // as the parser does: the last TTL is the default
	}
	typeAt := off + at
	if !special {
		data, _ := toks.next()
		if data == nil {
			return 0, 0, false // a type and no data: the parser says why
		}
		if more, _ := toks.next(); more == nil && len(r.ownerWire) > 0 {
			if rd, ok := r.fastRdata(rtype, data); ok {
				return next, lines, r.flush() && r.addFast(rtype, ttl, rd)
			}
		}
	}
	end := next
	if special {
		if end, ok = entryEnd(r.text, off); !ok {
			return 0, 0, false
		}
		lines = bytes.Count(r.text[off:min(end, len(r.text))], []byte{'\n'})
		if end > len(r.text) || r.text[end-1] != '\n' {
			lines++
		}
	}
	r.pending(ttl, r.text[typeAt:min(end, len(r.text))])
	return end, lines, true
}

// tokens cuts a line's content at blanks.
type tokens struct {
	s   []byte
	off int
}

// next is the next token and its offset, nil at the end.
func (t *tokens) next() ([]byte, int) {
	s, i := t.s, t.off
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	if i == len(s) {
		t.off = i
		return nil, i
	}
	start := i
	for i < len(s) && !isBlank(s[i]) {
		i++
	}
	t.off = i
	return s[start:i], start
}

// directive handles $TTL and $ORIGIN; anything else gives up.
func (r *fastReader) directive(name []byte, toks *tokens) bool {
	arg, _ := toks.next()
	if more, _ := toks.next(); arg == nil || more != nil {
		return false
	}
	if kind, _ := kindOf(arg); kind != tokTTL {
		return false // the lexer makes it a type or class, not a value
	}
	switch strings.ToUpper(string(name)) {
	case "$TTL":
		v, ok := stringToTTL(arg)
		if !ok {
			return false
		}
		r.ttl, r.byDirective = v, true
		return true
	case "$ORIGIN":
		origin, ok := absoluteName(arg, r.origin)
		if !ok || !r.flush() {
			return false
		}
		r.origin = origin
		r.originWire, _ = appendPlainName(nil, []byte(origin), nil)
		return true
	}
	return false
}

// fastRdata is the rdata of a record of type rtype written as the one
// token t, when the fast reader makes it itself.
func (r *fastReader) fastRdata(rtype uint16, t []byte) ([]byte, bool) {
	switch rtype {
	case dns.TypeA:
		if a, ok := parseIPv4(t); ok {
			r.rdata = append(r.rdata[:0], a[:]...)
			return r.rdata, true
		}
	case dns.TypeAAAA:
		if bytes.IndexByte(t, '%') >= 0 {
			return nil, false
		}
		a, err := netip.ParseAddr(string(t))
		if err != nil {
			return nil, false
		}
		if bytes.IndexByte(t, ':') >= 0 {
			b := a.As16()
			r.rdata = append(r.rdata[:0], b[:]...)
			return r.rdata, true
		}
	case dns.TypeCNAME:
		if r.originWire == nil && !isFQDN(t) {
			return nil, false
		}
		w, ok := appendPlainName(r.rdata[:0], t, r.originWire)
		if ok {
			r.rdata = w
			return w, true
		}
	}
	return nil, false
}

// addFast adds the record the reader made, after the ones pending.
func (r *fastReader) addFast(rtype uint16, ttl uint32, rdata []byte) bool {
	slot := ""
	isSlot := false
	if r.slotAt != nil {
		slot, isSlot = r.slotAt(r.line)
	}
	return r.b.addFast(r, rtype, ttl, rdata, slot, isSlot) == nil
}

// ownerText is the last owner in presentation form, as the parser has it.
func (r *fastReader) ownerText() string {
	name, _ := absoluteName(r.owner, r.ownerOrigin)
	return name
}

// pending keeps a record for the parser: its owner, TTL and class written
// out, then the text from its type on.
func (r *fastReader) pending(ttl uint32, rest []byte) {
	if len(r.pendLines) == 0 {
		r.pendOrigin = r.origin
	}
	owner := r.ownerText()
	r.pendOwners = append(r.pendOwners, owner)
	r.pend = append(r.pend, owner...)
	r.pend = append(r.pend, ' ')
	r.pend = strconv.AppendUint(r.pend, uint64(ttl), 10)
	r.pend = append(r.pend, " IN "...)
	r.pend = append(r.pend, rest...)
	if len(rest) == 0 || rest[len(rest)-1] != '\n' {
		r.pend = append(r.pend, '\n')
	}
	r.pendLines = append(r.pendLines, r.line)
}

// flush has the parser read the pending records, one each, and adds them.
//
// A record cut short makes some of the parser's rdata readers go on into
// the next line, which in the file is another than here; so each record
// read must be the one expected, by owner, and a last record follows them
// all, which would be read wrongly too, or not at all, if that happened
// at the end (where the parser is lenient).
func (r *fastReader) flush() bool {
	if len(r.pendLines) == 0 {
		return true
	}
	r.pend = append(r.pend, fastReadEnd...)
	zp := dns.NewZoneParser(bytes.NewReader(r.pend), r.pendOrigin, r.b.file)
	zp.SetDefaultTTL(defaultTTL)
	i, ended := 0, false
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		if ended {
			return false
		}
		if i == len(r.pendLines) {
			txt, isTXT := rr.(*dns.TXT)
			ended = isTXT && txt.Hdr.Name == "fast-read-end." && len(txt.Txt) == 1 && txt.Txt[0] == "end"
			if !ended {
				return false
			}
			continue
		}
		if rr.Header().Name != r.pendOwners[i] {
			return false
		}
		line := r.pendLines[i]
		i++
		var err error
		if key, isSlot := r.slot(line); isSlot {
			err = r.b.AddSlot(rr, line, key)
		} else {
			err = r.b.Add(rr, line)
		}
		if err != nil {
			return false
		}
	}
	if zp.Err() != nil || !ended {
		return false
	}
	r.pend, r.pendLines, r.pendOwners = r.pend[:0], r.pendLines[:0], r.pendOwners[:0]
	return true
}

// fastReadEnd closes the records flush hands the parser.
const fastReadEnd = "fast-read-end. 0 IN TXT end\n"

func (r *fastReader) slot(line int) (string, bool) {
	if r.slotAt == nil {
		return "", false
	}
	return r.slotAt(line)
}

// addFast adds a record the fast reader made: r's owner, and rdata in wire
// form. It does what add does for a dns.RR of the same record.
func (b *Builder) addFast(r *fastReader, rtype uint16, ttl uint32, rdata []byte, key string, isSlot bool) error {
	if isSlot && rtype != dns.TypeA && rtype != dns.TypeAAAA {
		return errGiveUp // AddSlot refuses it, in the parser's way
	}
	nl := copy(b.pack, r.ownerWire)
	owner := b.pack[:nl]
	LowerWire(owner)
	if !isSubWire(owner, b.apex) {
		b.probs = append(b.probs, problem{line: r.line, owner: r.ownerText(), rtype: dns.Type(rtype).String(), what: "outside the zone " + b.origin})
		return nil
	}
	if len(b.recs) == b.limit {
		return errGiveUp
	}
	slot := int32(-1)
	if isSlot {
		b.slots = append(b.slots, Slot{Owner: r.ownerText(), Type: rtype, TTL: ttl, Key: key, Line: r.line})
		slot = int32(len(b.slots) - 1)
	}
	idx := b.addName(owner)
	b.recs = append(b.recs, staged{name: idx, rtype: rtype, rdlen: uint16(len(rdata)), ttl: ttl,
		off: uint32(len(b.rdata)), line: uint32(r.line), slot: slot})
	b.rdata = append(b.rdata, rdata...)
	if slot >= 0 {
		b.slots[slot].name = idx
	}
	return nil
}

// errGiveUp stops the fast reader; the parser's way then makes the error.
var errGiveUp = errorString("the fast reader gives up")

type errorString string

func (e errorString) Error() string { return string(e) }

// entryEnd is where the entry starting at off ends (past its newline), as
// the parser's lexer finds it: a newline outside quotes and parentheses.
func entryEnd(text []byte, off int) (int, bool) {
	quote, escape, comment, brace := false, false, false, 0
	for i := off; i < len(text); i++ {
		c := text[i]
		switch {
		case comment:
			if c == '\n' {
				comment = false
				if brace == 0 {
					return i + 1, true
				}
			}
		case c == '\n':
			escape = false
			if !quote && brace == 0 {
				return i + 1, true
			}
		case c == '\r':
			escape = false
		case escape:
			escape = false
		case c == '\\':
			escape = true
		case quote:
			quote = c != '"'
		case c == '"':
			quote = true
		case c == ';':
			comment = true
		case c == '(':
			brace++
		case c == ')':
			if brace == 0 {
				return 0, false
			}
			brace--
		}
	}
	if quote || brace != 0 {
		return 0, false
	}
	return len(text) + 1, true
}

// parseIPv4 reads a dotted-quad IPv4 address as net.ParseIP does (which
// the parser uses): four decimal fields of at most 255, no leading zeros.
func parseIPv4(t []byte) (a [4]byte, ok bool) {
	field, digits, val := 0, 0, 0
	for i, c := range t {
		switch {
		case c >= '0' && c <= '9':
			if digits == 1 && val == 0 {
				return a, false // a leading zero
			}
			val, digits = val*10+int(c-'0'), digits+1
			if val > 255 {
				return a, false
			}
		case c == '.' && digits > 0 && field < 3 && i < len(t)-1:
			a[field] = byte(val)
			field, digits, val = field+1, 0, 0
		default:
			return a, false
		}
	}
	if field != 3 || digits == 0 {
		return a, false
	}
	a[3] = byte(val)
	return a, true
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

func isFQDN(t []byte) bool { return len(t) > 0 && t[len(t)-1] == '.' }

// Kinds of the tokens before a record's type.
const (
	tokOther = iota // a class other than IN, a generic type or class: give up
	tokType
	tokIN
	tokTTL
)

// kindOf tells a token before the type as the parser's lexer does: a type
// if it names one (its code is returned too), else a class, else a TTL.
func kindOf(t []byte) (int, uint16) {
	switch {
	case len(t) == 1 && (t[0] == 'A' || t[0] == 'a'):
		return tokType, dns.TypeA
	case bytes.EqualFold(t, []byte("AAAA")):
		return tokType, dns.TypeAAAA
	case bytes.EqualFold(t, []byte("CNAME")):
		return tokType, dns.TypeCNAME
	case bytes.EqualFold(t, []byte("IN")):
		return tokIN, 0
	case allDigits(t):
		return tokTTL, 0
	}
	u := strings.ToUpper(string(t))
	typ, isType := dns.StringToType[u]
	_, isClass := dns.StringToClass[u]
	switch {
	case isType && !isClass:
		return tokType, typ
	case isType, isClass, strings.HasPrefix(u, "TYPE"), strings.HasPrefix(u, "CLASS"):
		return tokOther, 0
	}
	return tokTTL, 0
}

func allDigits(t []byte) bool {
	for _, c := range t {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// stringToTTL reads a TTL as the parser does: seconds, or a sum of
// numbers with the units s, m, h, d and w.
func stringToTTL(t []byte) (uint32, bool) {
	var s, i uint
	for _, c := range t {
		switch c {
		case 's', 'S':
			s, i = s+i, 0
		case 'm', 'M':
			s, i = s+i*60, 0
		case 'h', 'H':
			s, i = s+i*3600, 0
		case 'd', 'D':
			s, i = s+i*86400, 0
		case 'w', 'W':
			s, i = s+i*604800, 0
		case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			i = i*10 + uint(c-'0')
		default:
			return 0, false
		}
		if s > math.MaxUint32 || i > math.MaxUint32 {
			return 0, false
		}
	}
	if s+i > math.MaxUint32 {
		return 0, false
	}
	return uint32(s + i), true
}

// absoluteName completes the name t written under origin, as the parser
// does; false where the parser would refuse it or the fast reader is not
// sure it would not.
func absoluteName(t []byte, origin string) (string, bool) {
	if string(t) == "@" {
		return origin, origin != ""
	}
	if !plainName(t) {
		return "", false
	}
	if isFQDN(t) {
		return string(t), true
	}
	if origin == "" {
		return "", false
	}
	if origin == "." {
		return string(t) + ".", true
	}
	return string(t) + "." + origin, true
}

// plainName reports whether appendPlainName takes t, once completed.
func plainName(t []byte) bool {
	if string(t) == "@" {
		return true
	}
	if isFQDN(t) {
		t = t[:len(t)-1]
	}
	if len(t) == 0 || len(t) > 254 {
		return false
	}
	label := 0
	for _, c := range t {
		switch {
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
		case plainNameByte(c):
			if label++; label > 63 {
				return false
			}
		default:
			return false
		}
	}
	return label > 0
}

// appendPlainName appends the wire form of the name t, completed with the
// wire name origin when t is relative ("@" is origin itself). Only plain
// names are taken: labels of letters, digits, '-', '_' and '*', 63 bytes
// at most, 255 in all.
func appendPlainName(dst, t, origin []byte) ([]byte, bool) {
	start := len(dst)
	if string(t) == "@" {
		if origin == nil {
			return nil, false
		}
		return append(dst, origin...), true
	}
	fqdn := isFQDN(t)
	if fqdn {
		t = t[:len(t)-1]
	}
	if len(t) == 0 {
		return nil, false // the root, or nothing: the parser's business
	}
	for len(t) > 0 {
		i := bytes.IndexByte(t, '.')
		if i < 0 {
			i = len(t)
		}
		label := t[:i]
		if len(label) == 0 || len(label) > 63 {
			return nil, false
		}
		for _, c := range label {
			if !plainNameByte(c) {
				return nil, false
			}
		}
		dst = append(dst, byte(len(label)))
		dst = append(dst, label...)
		if i == len(t) {
			break
		}
		t = t[i+1:]
		if len(t) == 0 {
			return nil, false // "a..": an empty label
		}
	}
	if fqdn {
		dst = append(dst, 0)
	} else {
		if origin == nil {
			return nil, false
		}
		dst = append(dst, origin...)
	}
	if len(dst)-start > 255 {
		return nil, false
	}
	return dst, true
}

func plainNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '*'
}

// ReadText adds the records of zone text to b, which must be new (see
// NewBuilder): the parser's rules apply (see ReadRecords), and slotAt, if
// not nil, tells the lines whose record is a slot, and its key (see
// AddSlot). Errors are those ReadRecords and AddSlot give.
func (b *Builder) ReadText(text []byte, opt ParseOptions, slotAt func(line int) (key string, ok bool)) error {
	if readFast(b, text, slotAt) {
		return nil
	}
	b.empty()
	return ReadRecords(b.origin, b.file, text, opt, func(rr dns.RR, line int) error {
		if slotAt != nil {
			if key, ok := slotAt(line); ok {
				return b.AddSlot(rr, line, key)
			}
		}
		return b.Add(rr, line)
	})
}

// empty takes b back to what NewBuilder made.
func (b *Builder) empty() {
	b.names = newNameTable(cap(b.recs))
	b.names.add(b.apex)
	b.recs, b.rdata = b.recs[:0], b.rdata[:0]
	b.slots, b.soa, b.probs = nil, nil, nil
}
