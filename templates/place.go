package templates

import "strings"

// place checks where a marker stands and returns the index of the record
// field its value replaces. Checks run in the order a user fixes things: a
// marker in the owner or type field, the record type, then the field.
func (p *parser) place(r *record, line int, span [2]int, m marker) (int, bool) {
	comment := inComment(p.lexed[line], span)
	if r == nil {
		p.errs.add(line+1, "comment marker %s has no value before it to replace", m.text)
		return -1, false
	}
	fi := lastField(r, line)
	if !comment {
		fi = fieldAt(r, line, span[0])
		if fi >= 0 && r.fields[fi].role == roleOwner {
			p.errs.add(line+1, "%s stands where the owner name belongs", m.text)
			return -1, false
		}
		if fi >= 0 && fi == r.typ {
			p.errs.add(line+1, "%s stands where the record type belongs", m.text)
			return -1, false
		}
	}
	if !p.checkType(r, line, m) {
		return -1, false
	}
	if comment && (fi < 0 || r.fields[fi].role != roleRdata) {
		p.errs.add(line+1, "comment marker %s has no value before it to replace", m.text)
		return -1, false
	}
	if !comment {
		if fi < 0 || r.fields[fi].tok.quoted || r.fields[fi].tok != (token{start: span[0], end: span[1]}) {
			word := p.lines[line].text[span[0]:span[1]]
			if fi >= 0 {
				word = r.text(p.lines, fi)
			}
			p.errs.add(line+1, "%s must stand alone as a field, not inside %s", m.text, word)
			return -1, false
		}
	}
	return fi, p.checkRdata(r, line, fi, m, comment)
}

// checkType refuses a marker on a record of the wrong type.
func (p *parser) checkType(r *record, line int, m marker) bool {
	name := r.typeName(p.lines)
	switch {
	case r.directive:
		p.errs.add(line+1, "%s needs record type %s, found directive %s", m.text, m.wantType(), name)
	case name == "":
		p.errs.add(line+1, "%s needs record type %s, found no type", m.text, m.wantType())
	case !strings.EqualFold(name, m.wantType()):
		p.errs.add(line+1, "%s needs record type %s, found %s", m.text, m.wantType(), name)
	default:
		return true
	}
	return false
}

// checkRdata refuses a marker whose value is not the rdata field it stands
// for: the serial is the SOA's third field, an address the A/AAAA's first.
func (p *parser) checkRdata(r *record, line, fi int, m marker, comment bool) bool {
	want := 0
	if m.kind == markSerial {
		want = 2
	}
	got := r.fields[fi].rdata
	if got == want {
		return true
	}
	verb := "stands in"
	if comment {
		verb = "refers to"
	}
	p.errs.add(line+1, "%s %s rdata field %d, want field %d", m.text, verb, got+1, want+1)
	return false
}
