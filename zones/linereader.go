package zones

import "io"

// lineReader hands zone text to the miekg/dns lexer and remembers on which
// line each record starts. Because it implements io.ByteReader the lexer
// reads from it directly, without a buffer of its own, so the reader's
// position is exactly the lexer's position.
//
// A record starts on the first line, after the previous record, whose first
// non-blank byte opens neither a comment (';') nor a directive ('$').
// Records produced by $INCLUDE or $GENERATE consume no bytes of their own;
// they are placed on the directive's line.
type lineReader struct {
	text []byte
	off  int

	line        int  // line of the next byte, from 1
	lastLine    int  // line of the last byte read
	lineStarted bool // the current line has had a non-blank byte
	start       int  // first line of the current record; 0 until seen
}

func newLineReader(text []byte) *lineReader {
	return &lineReader{text: text, line: 1, lastLine: 1}
}

// ReadByte implements io.ByteReader.
func (r *lineReader) ReadByte() (byte, error) {
	if r.off >= len(r.text) {
		return 0, io.EOF
	}
	c := r.text[r.off]
	r.off++
	r.lastLine = r.line
	switch {
	case c == '\n':
		r.line++
		r.lineStarted = false
	case r.lineStarted || c == ' ' || c == '\t' || c == '\r':
	default:
		r.lineStarted = true
		if r.start == 0 && c != ';' && c != '$' {
			r.start = r.lastLine
		}
	}
	return c, nil
}

// Read implements io.Reader, which NewZoneParser's signature asks for. The
// lexer uses ReadByte; Read goes through it too so the count stays right.
func (r *lineReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c, err := r.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		p[n] = c
		n++
	}
	return n, nil
}

// takeLine returns the line of the record the parser has just returned and
// starts looking for the next one.
func (r *lineReader) takeLine() int {
	line := r.start
	if line == 0 {
		line = r.lastLine
	}
	r.start = 0
	return line
}
