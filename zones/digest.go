package zones

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"

	"github.com/miekg/dns"
)

// Digest is a hex sha256 of the zone's content with the SOA serial zeroed, independent
// of record order and owner-name case, so two renders that differ only in serial (or
// comments/whitespace) have the same digest.
//
// The content is the set of records in canonical wire form (see Diff), so
// TTLs, classes and data count, and a record listed twice counts once.
func (z *Zone) Digest() string {
	keys := make([]string, 0, len(z.Records))
	seen := make(map[string]bool, len(z.Records))
	for _, rr := range z.Records {
		if soa, ok := rr.(*dns.SOA); ok {
			c := *soa
			c.Serial = 0
			rr = &c
		}
		if k := keyOrText(rr); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	h := sha256.New()
	var n [4]byte
	for _, k := range keys {
		binary.BigEndian.PutUint32(n[:], uint32(len(k)))
		h.Write(n[:])
		h.Write([]byte(k))
	}
	return hex.EncodeToString(h.Sum(nil))
}
