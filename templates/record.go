package templates

import "strings"

// fieldRole is what a word of a record is.
type fieldRole int

const (
	roleOwner fieldRole = iota
	roleTTL
	roleClass
	roleType
	roleRdata
)

// field is one word of a record: a token and where it stands.
type field struct {
	line  int // index of its physical line
	tok   token
	role  fieldRole
	rdata int // 0-based position among the rdata fields, for roleRdata
}

// record is one resource record or directive, possibly spread over several
// physical lines by parentheses.
type record struct {
	first, last int // indexes of its first and last physical lines
	fields      []field
	typ         int  // index in fields of the type (or directive name), -1 if none
	ttl         int  // index in fields of the TTL, -1 if none
	afterOwner  int  // index in fields of the first field after the owner, -1 if none
	directive   bool // $ORIGIN, $TTL, $INCLUDE, $GENERATE ...
}

// lineSpan is a run of physical lines: one record, or one line that holds
// no record (blank, or only a comment).
type lineSpan struct {
	first, last int
	isRecord    bool
	plain       bool // a run of plain lines (lexedLine.plain), one record each
}

// groupLines cuts the lexed lines into spans. A record starts on a line with
// tokens and runs until its parentheses close (or the file ends).
func groupLines(lexed []lexedLine) []lineSpan {
	var spans []lineSpan
	for i := 0; i < len(lexed); {
		if lexed[i].plain {
			j := i
			for j+1 < len(lexed) && lexed[j+1].plain {
				j++
			}
			spans = append(spans, lineSpan{first: i, last: j, isRecord: true, plain: true})
			i = j + 1
			continue
		}
		if len(lexed[i].tokens) == 0 {
			spans = append(spans, lineSpan{first: i, last: i})
			i++
			continue
		}
		j, depth := i, 0
		for ; j < len(lexed)-1; j++ {
			if depth = parenDepth(depth, lexed[j].tokens); depth == 0 {
				break
			}
		}
		spans = append(spans, lineSpan{first: i, last: j, isRecord: true})
		i = j + 1
	}
	return spans
}

// parenDepth returns the parenthesis depth after tokens, starting at depth.
// A stray ')' is ignored here; the zone parser reports it.
func parenDepth(depth int, tokens []token) int {
	for _, t := range tokens {
		switch {
		case t.kind == tokOpen:
			depth++
		case t.kind == tokClose && depth > 0:
			depth--
		}
	}
	return depth
}

// newRecord gives each word of a span its role: owner (when the first line
// does not start with a blank), then TTL and class in either order, then
// the type, then rdata.
func newRecord(s lineSpan, lines []srcLine, lexed []lexedLine) record {
	r := record{first: s.first, last: s.last, typ: -1, ttl: -1, afterOwner: -1}
	for i := s.first; i <= s.last; i++ {
		for _, t := range lexed[i].tokens {
			if t.kind == tokWord {
				r.fields = append(r.fields, field{line: i, tok: t, role: roleRdata})
			}
		}
	}
	k := 0
	if len(r.fields) > 0 && r.fields[0].line == s.first && r.fields[0].tok.start == 0 {
		r.fields[0].role = roleOwner
		if strings.HasPrefix(r.text(lines, 0), "$") {
			r.directive, r.typ = true, 0
			return r
		}
		k = 1
	}
	if k < len(r.fields) {
		r.afterOwner = k
	}
	for seenClass := false; k < len(r.fields); k++ {
		word := r.text(lines, k)
		if r.ttl < 0 && isTTL(word) {
			r.ttl, r.fields[k].role = k, roleTTL
		} else if !seenClass && isClass(word) {
			seenClass, r.fields[k].role = true, roleClass
		} else {
			break
		}
	}
	if k < len(r.fields) {
		r.typ, r.fields[k].role = k, roleType
		for i := k + 1; i < len(r.fields); i++ {
			r.fields[i].rdata = i - k - 1
		}
	}
	return r
}

// text returns the text of field i as written.
func (r record) text(lines []srcLine, i int) string {
	f := r.fields[i]
	return lines[f.line].text[f.tok.start:f.tok.end]
}

// typeName returns the record type (or directive name) as written, or "".
func (r record) typeName(lines []srcLine) string {
	if r.typ < 0 {
		return ""
	}
	return r.text(lines, r.typ)
}

// isTTL reports whether a word is a TTL: digits, optionally with BIND's
// unit letters ("3600", "1h30m").
func isTTL(s string) bool {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && !strings.ContainsRune("smhdwSMHDW", rune(c)) {
			return false
		}
	}
	return true
}

// isClass reports whether a word is a DNS class.
func isClass(s string) bool {
	u := strings.ToUpper(s)
	switch u {
	case "IN", "CS", "CH", "HS", "NONE", "ANY":
		return true
	}
	digits, ok := strings.CutPrefix(u, "CLASS")
	return ok && digits != "" && strings.Trim(digits, "0123456789") == ""
}
