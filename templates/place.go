package templates

import "strings"

// place checks where a marker stands and returns the index of the record
// field its value replaces. Checks run in the order a user fixes things: a
// marker in the owner or type field, the record type, then the field.
func (p *parser) place(r *record, line int, span [2]int, m marker) (int, bool) {
	comment := inComment(p.lexed[line], span)
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
	if comment && m.kind == markSerial {
		return p.serialField(r, line, m)
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

// serialField is the field a comment @serial number@ in an SOA record
// means: the SOA's serial, wherever the comment stands (after the serial,
// at the end of a one-line SOA, on a line of its own inside the
// parentheses), as the original script's templates place it.
func (p *parser) serialField(r *record, line int, m marker) (int, bool) {
	for i, f := range r.fields {
		if f.role == roleRdata && f.rdata == 2 {
			return i, true
		}
	}
	p.errs.add(line+1, "%s: the SOA record has no serial (its third rdata field)", m.text)
	return -1, false
}

// copied reports whether a marker-shaped text on line is left as written.
// On a line that holds nothing but a comment, markers are prose ("; @IP@
// is filled in by zonerw") and the line is copied unchecked, except
// @serial number@ on such a line inside an SOA record, which means the
// SOA's serial (see serialField). Only record spans have lines with
// tokens, so place is never asked about a line outside a record.
func (p *parser) copied(r *record, line int, text string) bool {
	if len(p.lexed[line].tokens) > 0 {
		return false
	}
	return text != serialMarker || r == nil || !strings.EqualFold(r.typeName(p.lines), "SOA")
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
// (A comment serial marker has been sent to the serial by serialField.)
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
