package zones

import (
	"fmt"

	"github.com/miekg/dns"
)

// Names are kept in canonical wire form: uncompressed labels, ASCII
// letters in lower case, ending with the root label. Comparing two such
// names is comparing bytes, and a name's parent is a suffix of it.

// maxWireName is the longest wire-format name (RFC 1035 section 2.3.4).
const maxWireName = 255

// AppendWireName appends the canonical wire form of the domain name s
// (relative names are taken as fully qualified) to dst.
func AppendWireName(dst []byte, s string) ([]byte, error) {
	var buf [maxWireName]byte
	n, err := dns.PackDomainName(dns.Fqdn(s), buf[:], 0, nil, false)
	if err != nil {
		return dst, fmt.Errorf("name %q: %w", s, err)
	}
	LowerWire(buf[:n])
	return append(dst, buf[:n]...), nil
}

// wireName is AppendWireName into a new slice.
func wireName(s string) ([]byte, error) { return AppendWireName(nil, s) }

// LowerWire lower-cases the ASCII letters of the uncompressed wire name w
// in place, leaving label lengths alone.
func LowerWire(w []byte) {
	for off := 0; off < len(w) && w[off] != 0; {
		end := off + 1 + int(w[off])
		for i := off + 1; i < end && i < len(w); i++ {
			if c := w[i]; c >= 'A' && c <= 'Z' {
				w[i] = c + 'a' - 'A'
			}
		}
		off = end
	}
}

// WireNameText is the presentation form of the wire name w ("www.example.com.").
func WireNameText(w []byte) string {
	s, _, err := dns.UnpackDomainName(w, 0)
	if err != nil {
		return fmt.Sprintf("<bad name %x>", w)
	}
	return s
}

// WireParent returns the name one label up from w, or nil for the root.
func WireParent(w []byte) []byte {
	if len(w) == 0 || w[0] == 0 {
		return nil
	}
	return w[1+int(w[0]):]
}

// WireLabels counts the labels of w, the root label not included.
func WireLabels(w []byte) int {
	n := 0
	for off := 0; off < len(w) && w[off] != 0; off += 1 + int(w[off]) {
		n++
	}
	return n
}

// wireNameLen is the length of the uncompressed name at the start of b,
// or -1 when b does not start with one.
func wireNameLen(b []byte) int {
	for off := 0; off < len(b) && off < maxWireName; {
		l := int(b[off])
		switch {
		case l == 0:
			return off + 1
		case l > 63:
			return -1
		}
		off += 1 + l
	}
	return -1
}

// isWildcardWire reports whether w's first label is "*".
func isWildcardWire(w []byte) bool { return len(w) >= 2 && w[0] == 1 && w[1] == '*' }
