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
	var lines []srcLine
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
