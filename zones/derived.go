package zones

import "github.com/miekg/dns"

// derivedType reports the types a signer makes from the rest of the zone
// (signatures and the denial-of-existence chain). They do not count in a
// version's digest: a zone signed again, with fresh signatures over the
// same records, holds the same content, so its serial stays (invariant 2),
// and a restart that signs anew does not look like a change. The keys
// (DNSKEY, CDS, CDNSKEY) and NSEC3PARAM do count: a key rollover is a change.
func derivedType(t uint16) bool {
	return t == dns.TypeRRSIG || t == dns.TypeNSEC || t == dns.TypeNSEC3
}
