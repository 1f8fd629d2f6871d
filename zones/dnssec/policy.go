package dnssec

import (
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Policy is how one zone is signed. The zero durations take Knot's
// defaults (see Defaults).
type Policy struct {
	Algorithm uint8 // dns.ECDSAP256SHA256 (default) or dns.ED25519
	// SplitKeys signs the DNSKEY RRset with a KSK and the rest with a ZSK;
	// otherwise one combined key (CSK) signs all.
	SplitKeys bool
	NSEC3     bool // NSEC3 (RFC 9276: SHA-1, 0 iterations, empty salt, no opt-out) instead of NSEC
	// Validity is how long a new signature is valid (Knot rrsig-lifetime).
	Validity time.Duration
	// Refresh is how long before it expires a signature is made anew
	// (Knot rrsig-refresh); 0: PropagationDelay plus the zone's largest TTL.
	Refresh time.Duration
	// PropagationDelay covers getting a change to every secondary; each
	// key rollover step waits for it besides the TTLs.
	PropagationDelay time.Duration
	// ZSKLifetime is how long a ZSK signs before the next one is rolled
	// in (ksk+zsk only); 0: never.
	ZSKLifetime time.Duration
	// DNSKEYTTL is the TTL of DNSKEY, CDS and CDNSKEY; 0: the SOA's.
	DNSKEYTTL time.Duration
	// Parents are nameservers (or a validating resolver) asked for the
	// zone's DS during a KSK or CSK rollover, "host:port".
	Parents []string
}

// Knot's defaults.
const (
	DefaultValidity         = 14 * 24 * time.Hour
	DefaultPropagationDelay = time.Hour
	DefaultZSKLifetime      = 30 * 24 * time.Hour
	// inceptionOffset puts a new signature's inception this far in the
	// past, for validators whose clocks are behind.
	inceptionOffset = 90 * time.Minute
)

// WithDefaults fills the zero fields of p.
func (p Policy) WithDefaults() Policy {
	if p.Algorithm == 0 {
		p.Algorithm = dns.ECDSAP256SHA256
	}
	if p.Validity == 0 {
		p.Validity = DefaultValidity
	}
	if p.PropagationDelay == 0 {
		p.PropagationDelay = DefaultPropagationDelay
	}
	return p
}

// Check reports what is wrong with p, naming the setting.
func (p Policy) Check() error {
	switch p.Algorithm {
	case dns.ECDSAP256SHA256, dns.ED25519:
	default:
		return fmt.Errorf("algorithm %d is not supported: use ECDSAP256SHA256 or ED25519", p.Algorithm)
	}
	if p.Validity < 2*time.Hour {
		return fmt.Errorf("signature validity %s is too short (at least 2h)", p.Validity)
	}
	if p.Refresh < 0 || p.Refresh >= p.Validity {
		return fmt.Errorf("refresh %s must be shorter than the signature validity %s", p.Refresh, p.Validity)
	}
	if p.ZSKLifetime != 0 && p.ZSKLifetime < p.Validity/2 {
		return fmt.Errorf("zsk_lifetime %s is too short for signatures valid %s", p.ZSKLifetime, p.Validity)
	}
	return nil
}

// refresh is how long before expiry a signature is made anew, for a zone
// whose largest TTL is maxTTL.
func (p Policy) refresh(maxTTL uint32) time.Duration {
	if p.Refresh > 0 {
		return p.Refresh
	}
	r := p.PropagationDelay + time.Duration(maxTTL)*time.Second
	return min(r, p.Validity/2)
}

// AlgorithmByName parses "ECDSAP256SHA256", "ED25519" (any case, or the
// number).
func AlgorithmByName(s string) (uint8, bool) {
	for n, name := range dns.AlgorithmToString {
		if strings.EqualFold(name, s) || fmt.Sprint(n) == s {
			return n, true
		}
	}
	return 0, false
}
