package config

import (
	"net/netip"
	"strings"
	"time"
)

// DNSSEC is how a zone is signed (zones[].dnssec). Off unless enabled.
type DNSSEC struct {
	Enabled bool `yaml:"enabled"`
	// Algorithm is ECDSAP256SHA256 (default) or ED25519.
	Algorithm string `yaml:"algorithm"`
	// Keys is "csk" (default: one key signs all) or "ksk+zsk".
	Keys string `yaml:"keys"`
	// Denial is "nsec" (default) or "nsec3" (RFC 9276: no salt, 0 iterations).
	Denial string `yaml:"denial"`
	// SignatureValidity is how long a signature is valid (default 14d as
	// Knot; a duration such as 336h).
	SignatureValidity time.Duration `yaml:"signature_validity"`
	// Refresh is how long before it expires a signature is made anew
	// (default: propagation_delay plus the zone's largest TTL).
	Refresh time.Duration `yaml:"refresh"`
	// PropagationDelay is what each key rollover step waits besides the
	// TTLs (default 1h).
	PropagationDelay time.Duration `yaml:"propagation_delay"`
	// ZSKLifetime is how long a ZSK signs before the next is rolled in
	// (ksk+zsk; default 720h, 0s: never).
	ZSKLifetime *time.Duration `yaml:"zsk_lifetime"`
	// DNSKEYTTL is the TTL of DNSKEY, CDS and CDNSKEY (default: the SOA's).
	DNSKEYTTL time.Duration `yaml:"dnskey_ttl"`
	// Parents are nameservers of the parent zone (or a validating
	// resolver), ip:port, asked for the zone's DS during a KSK or CSK
	// rollover.
	Parents []string `yaml:"parents"`
}

// validateDNSSEC checks a zone's dnssec block.
func validateDNSSEC(l *locator, p []any, d DNSSEC) []error {
	var errs []error
	add := func(key string, format string, args ...any) {
		errs = append(errs, l.errorf(append(p, key), format, args...))
	}
	switch strings.ToUpper(d.Algorithm) {
	case "", "ECDSAP256SHA256", "13", "ED25519", "15":
	default:
		add("algorithm", "%q is not supported (use ECDSAP256SHA256 or ED25519)", d.Algorithm)
	}
	switch d.Keys {
	case "", "csk", "ksk+zsk":
	default:
		add("keys", "%q is not csk or ksk+zsk", d.Keys)
	}
	switch d.Denial {
	case "", "nsec", "nsec3":
	default:
		add("denial", "%q is not nsec or nsec3", d.Denial)
	}
	validity := d.SignatureValidity
	if validity == 0 {
		validity = 14 * 24 * time.Hour
	}
	if validity < 2*time.Hour {
		add("signature_validity", "%s is too short (at least 2h)", validity)
	}
	if d.Refresh < 0 || d.Refresh >= validity {
		add("refresh", "%s must be positive and shorter than signature_validity (%s)", d.Refresh, validity)
	}
	if d.PropagationDelay < 0 {
		add("propagation_delay", "must be positive")
	}
	if d.DNSKEYTTL < 0 || d.DNSKEYTTL%time.Second != 0 {
		add("dnskey_ttl", "must be a positive number of seconds")
	}
	if d.ZSKLifetime != nil && (*d.ZSKLifetime < 0 || *d.ZSKLifetime > 0 && *d.ZSKLifetime < validity/2) {
		add("zsk_lifetime", "%s is too short for signatures valid %s (at least half of it, or 0s for never)", *d.ZSKLifetime, validity)
	}
	if d.ZSKLifetime != nil && d.Keys != "ksk+zsk" {
		add("zsk_lifetime", "only a ZSK rolls on a schedule: set keys: ksk+zsk")
	}
	for i, a := range d.Parents {
		if _, err := netip.ParseAddrPort(a); err != nil {
			errs = append(errs, l.errorf(append(p, "parents", i), "%q is not ip:port", a))
		}
	}
	return errs
}
