package provider

import (
	"fmt"
	"time"
)

// ttlLimits are a provider's accepted TTLs.
type ttlLimits struct {
	provider string
	min, max time.Duration
	auto     time.Duration // a special value below min that is accepted (0: none)
	def      time.Duration // used when a record has no TTL
}

func limitsOf(k Kind) ttlLimits {
	switch k {
	case Gandi:
		return ttlLimits{provider: "Gandi", min: 300 * time.Second, max: 2592000 * time.Second, def: 300 * time.Second}
	case RFC2136:
		// RFC 2181 §8: 0 to 2^31-1 seconds; 0 here means the default.
		return ttlLimits{provider: "RFC 2181", min: time.Second, max: 2147483647 * time.Second, def: 60 * time.Second}
	}
	return ttlLimits{provider: "Cloudflare", min: 60 * time.Second, max: 86400 * time.Second, auto: time.Second, def: 60 * time.Second}
}

// check reports why ttl is not accepted, or nil. Zero is accepted: it
// means the default.
func (l ttlLimits) check(ttl time.Duration) error {
	switch {
	case ttl == 0 || (l.auto != 0 && ttl == l.auto):
		return nil
	case ttl < 0:
		return fmt.Errorf("%v is negative", ttl)
	case ttl%time.Second != 0:
		return fmt.Errorf("%v is not a whole number of seconds", ttl)
	case ttl < l.min && l.auto != 0:
		return fmt.Errorf("%v is below %s's minimum of %s (or %s for automatic)", ttl, l.provider, secs(l.min), secs(l.auto))
	case ttl < l.min:
		return fmt.Errorf("%v is below %s's minimum of %s", ttl, l.provider, secs(l.min))
	case ttl > l.max:
		return fmt.Errorf("%v is above %s's maximum of %s", ttl, l.provider, secs(l.max))
	}
	return nil
}

// secs formats a whole number of seconds the way the providers document
// their limits ("86400s" rather than "24h0m0s").
func secs(d time.Duration) string {
	return fmt.Sprintf("%ds", int64(d/time.Second))
}
