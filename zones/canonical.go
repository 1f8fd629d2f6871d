package zones

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// canonicalKey returns rr in uncompressed wire form with its owner name in
// lower case. Two records with the same key are the same record: owner case
// and presentation details (escapes, address spelling) do not matter, the
// TTL and the class do. rr itself is not modified.
func canonicalKey(rr dns.RR) (string, error) {
	c := dns.Copy(rr) // PackRR writes Rdlength into the record it packs
	buf := make([]byte, dns.Len(c))
	n, err := dns.PackRR(c, buf, 0, nil, false)
	if err != nil {
		return "", fmt.Errorf("%s %s: cannot be encoded: %w", rr.Header().Name, typeName(rr), err)
	}
	wire := buf[:n]
	lowerOwner(wire)
	return string(wire), nil
}

// keyOrText is canonicalKey for records that may not encode (a Zone built
// by hand rather than by Parse): those fall back to their text, lowered, so
// Diff and Digest still work on them.
func keyOrText(rr dns.RR) string {
	if k, err := canonicalKey(rr); err == nil {
		return k
	}
	c := dns.Copy(rr)
	c.Header().Name = dns.CanonicalName(c.Header().Name)
	return "text:" + c.String()
}

// lowerOwner lower-cases the ASCII letters of the uncompressed name at the
// start of wire, leaving the label length bytes alone.
func lowerOwner(wire []byte) {
	off := 0
	for off < len(wire) && wire[off] != 0 {
		end := off + 1 + int(wire[off])
		for i := off + 1; i < end && i < len(wire); i++ {
			if c := wire[i]; c >= 'A' && c <= 'Z' {
				wire[i] = c + 'a' - 'A'
			}
		}
		off = end
	}
}

// typeName is the record's type mnemonic ("A", "TYPE65280").
func typeName(rr dns.RR) string {
	return dns.Type(rr.Header().Rrtype).String()
}

// compareKeys orders canonical keys the way RFC 4034 section 6.1 orders
// names (labels compared from the root down, so the apex comes first and a
// name is followed by its children), then by type, class, TTL and data.
// Text fallback keys sort after all wire keys.
func compareKeys(a, b string) int {
	aLabels, aRest, aOK := splitOwner(a)
	bLabels, bRest, bOK := splitOwner(b)
	if !aOK || !bOK {
		return cmpBool(aOK, bOK, a, b)
	}
	for i := 1; i <= len(aLabels) && i <= len(bLabels); i++ {
		if c := strings.Compare(aLabels[len(aLabels)-i], bLabels[len(bLabels)-i]); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(len(aLabels), len(bLabels)); c != 0 {
		return c
	}
	return strings.Compare(aRest, bRest)
}

// cmpBool orders wire keys (ok) before text keys, and like kinds by text.
func cmpBool(aOK, bOK bool, a, b string) int {
	if aOK != bOK {
		if aOK {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// splitOwner returns the labels of the uncompressed owner name at the start
// of a wire key and the bytes after it; ok is false for a text key.
func splitOwner(key string) (labels []string, rest string, ok bool) {
	off := 0
	for off < len(key) && key[off] != 0 {
		n := int(key[off])
		if n > 63 || off+1+n > len(key) {
			return nil, "", false
		}
		labels = append(labels, key[off+1:off+1+n])
		off += 1 + n
	}
	if off >= len(key) {
		return nil, "", false
	}
	return labels, key[off+1:], true
}
