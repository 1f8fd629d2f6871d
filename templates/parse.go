package templates

import (
	"path/filepath"
	"slices"
	"strings"
)

// Parse checks a template when config loads. defaultService is the service a
// bare @IP@ means ("" if none). Every error names the file and line
// ("example.com.zone.tmpl:12: ..."); when there are several they are joined.
func Parse(file string, text []byte, services []Service, defaultService string) (*Template, error) {
	p := parser{
		file:           file,
		lines:          splitLines(string(text)),
		services:       make(map[string]Service, len(services)),
		defaultService: defaultService,
		errs:           lineErrors{file: file},
	}
	for _, s := range services {
		if _, dup := p.services[s.Name]; !dup {
			p.services[s.Name] = s
		}
	}
	checkBytes(p.lines, &p.errs)
	anchorIncludes(file, p.lines)
	p.lexed = make([]lexedLine, len(p.lines))
	depth := 0  // inside parentheses a line is part of the record before it
	opened := 0 // the line of the '(' that made depth > 0
	for i, l := range p.lines {
		if depth == 0 && plainLine(l.text) {
			p.lexed[i] = lexedLine{comment: -1, plain: true, ttl: plainTTL(l.text)}
			continue
		}
		p.lexed[i] = lexLine(l.text)
		checkStrings(l.text, p.lexed[i], i+1, &p.errs)
		was := depth
		depth = parenDepth(depth, p.lexed[i].tokens)
		if was == 0 && depth > 0 {
			opened = i
		}
	}
	if depth > 0 {
		// Else the lines after it read as part of its record, and the
		// errors found there (an address marker "in an SOA record") hide
		// the cause.
		p.errs.add(opened+1, "this '(' is never closed: every line after it is read as part of its record")
	}
	t := &Template{file: file, lines: p.lines, size: len(text)}
	spans := groupLines(p.lexed)
	t.blocks = make([]block, 0, len(spans))
	for _, s := range spans {
		b, serial := p.block(s)
		t.blocks = append(t.blocks, b)
		t.hasSerial = t.hasSerial || serial
		if b.addr != nil && !slices.Contains(t.services, b.addr.service) {
			t.services = append(t.services, b.addr.service)
		}
	}
	if err := p.errs.err(); err != nil {
		return nil, err
	}
	slices.Sort(t.services)
	return t, nil
}

// parser holds what checking one template needs.
type parser struct {
	file           string
	lines          []srcLine
	lexed          []lexedLine
	services       map[string]Service
	defaultService string
	errs           lineErrors
}

// block checks every marker of a span and turns it into edits. It reports
// whether the span holds a serial marker.
func (p *parser) block(s lineSpan) (block, bool) {
	b := block{first: s.first, last: s.last}
	if s.plain {
		// Only the first record of the run can lend a TTL to or take one
		// from what comes before it; the rest follow their neighbours.
		b.ttl = p.lexed[s.first].ttl
		return b, false
	}
	var rec *record
	if s.isRecord {
		r := newRecord(s, p.lines, p.lexed)
		rec = &r
		b.ttl = ttlRole(r, p.lines)
	}
	serial := false
	for i := s.first; i <= s.last; i++ {
		for _, span := range p.lexed[i].markers {
			text := p.lines[i].text[span[0]:span[1]]
			if p.copied(rec, i, text) {
				continue
			}
			m, err := identify(text, p.services, p.defaultService)
			if err != nil {
				p.errs.add(i+1, "%w", err)
				continue
			}
			fi, ok := p.place(rec, i, span, m)
			if !ok || !p.count(&b, &serial, i, m) {
				continue
			}
			f := rec.fields[fi]
			kind := editSerial
			if m.isAddr() {
				kind = editAddr
				b.addr = &addrUse{text: m.text, service: m.service, v6: m.kind == markIPv6, line: i + 1}
			}
			b.edits = append(b.edits, edit{line: f.line, start: f.tok.start, end: f.tok.end, kind: kind})
		}
	}
	if b.addr != nil {
		b.edits = append(b.edits, ttlEdit(rec))
	}
	sortEdits(b.edits)
	return b, serial
}

// count refuses a second address marker, or a second serial marker, in one
// record.
func (p *parser) count(b *block, serial *bool, line int, m marker) bool {
	switch {
	case m.isAddr() && b.addr != nil:
		p.errs.add(line+1, "more than one address marker in one record: %s and %s", b.addr.text, m.text)
		return false
	case !m.isAddr() && *serial:
		p.errs.add(line+1, "more than one %s in one record", m.text)
		return false
	}
	*serial = *serial || !m.isAddr()
	return true
}

// ttlEdit is where a TTL override goes: over the record's TTL, or before
// its class or type when it has none.
func ttlEdit(r *record) edit {
	if r.ttl >= 0 {
		f := r.fields[r.ttl]
		return edit{line: f.line, start: f.tok.start, end: f.tok.end, kind: editTTL}
	}
	f := r.fields[r.afterOwner]
	return edit{line: f.line, start: f.tok.start, end: f.tok.start, kind: editTTLInsert}
}

// inComment reports whether a marker span sits in the comment of its line.
func inComment(l lexedLine, span [2]int) bool {
	return l.comment >= 0 && span[0] > l.comment
}

// fieldAt returns the index of the record field on line that contains byte
// pos, or -1.
func fieldAt(r *record, line, pos int) int {
	return slices.IndexFunc(r.fields, func(f field) bool {
		return f.line == line && f.tok.start <= pos && pos < f.tok.end
	})
}

// lastField returns the index of the last record field on line, or -1.
func lastField(r *record, line int) int {
	i := -1
	for k, f := range r.fields {
		if f.line == line {
			i = k
		}
	}
	return i
}

// anchorIncludes makes the file of each $INCLUDE with a relative path
// absolute, from the template's directory, where zonerw's own parse looks
// for it. The output file is written elsewhere and loaded by a nameserver
// from its own working directory, where the relative path leads nowhere.
func anchorIncludes(file string, lines []srcLine) {
	dir := filepath.Dir(file)
	for i, l := range lines {
		rest, ok := cutPrefixFold(l.text, "$INCLUDE")
		if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
			continue
		}
		trimmed := strings.TrimLeft(rest, " \t")
		end := strings.IndexAny(trimmed, " \t;")
		if end < 0 {
			end = len(trimmed)
		}
		name := trimmed[:end]
		if name == "" || filepath.IsAbs(name) || strings.ContainsAny(name, "\"\\") {
			continue
		}
		at := len(l.text) - len(trimmed)
		lines[i].text = l.text[:at] + filepath.Join(dir, name) + l.text[at+end:]
	}
}

// cutPrefixFold is strings.CutPrefix, ASCII case folded.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}
