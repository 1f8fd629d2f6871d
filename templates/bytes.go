package templates

import "fmt"

// maxByteErrors bounds the lines reported for stray control bytes, so a
// binary file named as a template gives a readable error.
const maxByteErrors = 10

// checkBytes refuses bytes a zone file cannot hold as text: NUL and every
// other control character but tab (a CR is fine only just before the LF,
// which splitLines has already taken off). Such a byte passes the marker
// checks unseen and ends in a zone that BIND, for one, refuses to load.
// It reports the first such byte of each line, with its 1-based column.
func checkBytes(lines []srcLine, errs *lineErrors) {
	bad, omitted := 0, -1
	for i, l := range lines {
		col := badByte(l.text)
		if col < 0 {
			continue
		}
		if bad++; bad > maxByteErrors {
			if omitted < 0 {
				omitted = i
			}
			continue
		}
		errs.addAt(i+1, col+1, "%s: a template holds printable text and tabs only", describeByte(l.text[col]))
	}
	if omitted >= 0 {
		errs.add(omitted+1, "control characters on this line and %d more after it", bad-maxByteErrors-1)
	}
}

// badByte returns the index of the first control character other than tab
// in s, or -1. Bytes from 0x80 up (UTF-8 in comments and TXT data) are text.
func badByte(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return i
		}
	}
	return -1
}

// describeByte names a control character for an error message.
func describeByte(c byte) string {
	switch c {
	case 0:
		return "NUL byte (0x00)"
	case '\r':
		return "carriage return (0x0D) not followed by a line feed"
	case 0x7f:
		return "DEL character (0x7F)"
	case 0x1b:
		return "escape character (0x1B)"
	}
	return fmt.Sprintf("control character 0x%02X", c)
}

// maxString is the longest character-string a record can hold (RFC 1035
// section 3.3): its length is one byte.
const maxString = 255

// checkStrings refuses a quoted string longer than maxString on line n.
// The dns package would split it into several strings and pass the zone,
// but the file itself is what a nameserver loads, and NSD and BIND refuse
// it.
func checkStrings(text string, l lexedLine, n int, errs *lineErrors) {
	for _, t := range l.tokens {
		if !t.quoted || t.end-t.start-2 <= maxString {
			continue // too short even if no escape
		}
		if size := stringBytes(text[t.start+1 : t.end-1]); size > maxString {
			errs.addAt(n, t.start+1, "a quoted string of %d bytes: a record holds strings of %d bytes at most (RFC 1035 3.3), and NSD and BIND refuse the zone; split it into several quoted strings", size, maxString)
		}
	}
}

// stringBytes is how many bytes the quoted text s (quotes taken off)
// stands for: \DDD and \X are one byte each.
func stringBytes(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			i += 3
		} else if s[i] == '\\' {
			i++
		}
		n++
	}
	return n
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
