package templates

import "strings"

// srcLine is one physical line of a template.
type srcLine struct {
	text string // without the line terminator
	eol  string // "\n", "\r\n", or "" for a last line without one
}

// splitLines cuts text into physical lines, keeping each terminator so the
// output can reproduce the input byte for byte.
func splitLines(text string) []srcLine {
	lines := make([]srcLine, 0, strings.Count(text, "\n")+1)
	for text != "" {
		l := srcLine{text: text}
		text = ""
		if i := strings.IndexByte(l.text, '\n'); i >= 0 {
			l.text, text, l.eol = l.text[:i], l.text[i+1:], "\n"
			if strings.HasSuffix(l.text, "\r") {
				l.text, l.eol = l.text[:len(l.text)-1], "\r\n"
			}
		}
		lines = append(lines, l)
	}
	return lines
}

// tokKind tells a word from a parenthesis.
type tokKind int

const (
	tokWord tokKind = iota
	tokOpen
	tokClose
)

// token is a span [start, end) of one physical line.
type token struct {
	start, end int
	kind       tokKind
	quoted     bool // a "quoted string"
}

// lexedLine is a physical line cut into tokens.
type lexedLine struct {
	tokens  []token
	comment int      // index of the ';' that starts the comment, or -1
	markers [][2]int // spans of marker-shaped text, anywhere on the line
	// plain marks a line that is one whole record with nothing for the
	// lexer to look at (see plainLine); tokens is then left empty, and
	// ttl says how the record bears on the TTLs after it.
	plain bool
	ttl   ttlKind
}

// plainSpecial are the bytes that make a line more than a plain record:
// markers, parentheses, comments, quoted strings and escapes.
const plainSpecial = "@();\"\\"

// plainLine reports whether s is a record the lexer need not cut up: it
// has an owner or words, is not a directive, and holds none of
// plainSpecial. Most lines of a big zone are such lines, and they cost
// no tokens and no record of their own.
func plainLine(s string) bool {
	t := strings.TrimLeft(s, " \t\r")
	return t != "" && t[0] != '$' && !strings.ContainsAny(s, plainSpecial)
}

// plainTTL is how the plain record s bears on the TTLs after it: its
// words are owner (when s starts with one), then TTL and class in either
// order, then the type.
func plainTTL(s string) ttlKind {
	owner := s != "" && s[0] != ' ' && s[0] != '\t' && s[0] != '\r'
	seenClass := false
	for i, w := 0, 0; w < 4; w++ {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r') {
			i++
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '\r' {
			j++
		}
		word := s[i:j]
		i = j
		switch {
		case word == "":
			return ttlInherited
		case w == 0 && owner:
		case isTTL(word):
			return ttlOwn
		case !seenClass && isClass(word):
			seenClass = true
		default:
			return ttlInherited // the type
		}
	}
	return ttlInherited
}

// lexLine cuts one physical line into tokens the way zone files do:
// whitespace separates, '(' and ')' are tokens of their own, a quoted string
// is one token, '\' escapes the next byte, ';' outside quotes starts a
// comment. A marker-shaped text is kept whole even though it may hold
// spaces ("@serial number@"). An unterminated quote ends at the line's end;
// the zone parser reports it later.
func lexLine(s string) lexedLine {
	l := lexedLine{comment: -1}
	for _, m := range markerShape.FindAllStringIndex(s, -1) {
		l.markers = append(l.markers, [2]int{m[0], m[1]})
	}
	start := -1 // start of the word being read, or -1
	endWord := func(i int) {
		if start >= 0 {
			l.tokens = append(l.tokens, token{start: start, end: i})
			start = -1
		}
	}
	next := 0 // the first marker not yet passed
	for i := 0; i < len(s); {
		for next < len(l.markers) && l.markers[next][0] < i {
			next++
		}
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			endWord(i)
			i++
		case c == ';':
			endWord(i)
			l.comment = i
			return l
		case c == '(' || c == ')':
			endWord(i)
			kind := tokOpen
			if c == ')' {
				kind = tokClose
			}
			l.tokens = append(l.tokens, token{start: i, end: i + 1, kind: kind})
			i++
		case c == '"':
			endWord(i)
			end := quoteEnd(s, i)
			l.tokens = append(l.tokens, token{start: i, end: end, quoted: true})
			i = end
		default:
			if start < 0 {
				start = i
			}
			switch {
			case next < len(l.markers) && l.markers[next][0] == i:
				i = l.markers[next][1]
			case c == '\\':
				i = min(i+2, len(s))
			default:
				i++
			}
		}
	}
	endWord(len(s))
	return l
}

// quoteEnd returns the index just past the quoted string that opens at
// s[open], or len(s) when the quote is not closed on this line.
func quoteEnd(s string, open int) int {
	for i := open + 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(s)
}
