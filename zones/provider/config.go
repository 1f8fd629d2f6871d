package provider

import (
	"strings"
	"time"
)

// Kind names a DNS provider API.
type Kind string

// The supported providers.
const (
	Cloudflare Kind = "cloudflare"
	Gandi      Kind = "gandi"
)

// The values of Config.OnDrift.
const (
	DriftFix    = "fix"    // put a record changed by hand back
	DriftReport = "report" // only report it
)

// DefaultTimeout bounds one HTTP request when Config.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// Record is one RRset at the provider that carries a service's active
// addresses.
type Record struct {
	Name    string        // relative to the zone, "@" for the apex
	Type    string        // "A" or "AAAA"
	Service string        // the failover service whose active address it carries
	TTL     time.Duration // zero means the provider's minimum (Cloudflare 60s, Gandi 300s)
}

// Config describes one provider zone. The caller reads the token from a
// file or the environment; it never appears in errors or logs.
type Config struct {
	Name    string        // a label for logs and status, e.g. "cloudflare-example"
	Kind    Kind          // Cloudflare or Gandi
	Zone    string        // "example.com", normalised to "example.com."
	Token   string        // the API token (Cloudflare) or personal access token (Gandi)
	APIURL  string        // optional: replaces the library's base URL (see defaultBase)
	Records []Record      // the records to keep pointed at their service
	OnDrift string        // DriftFix (default) or DriftReport
	Timeout time.Duration // per HTTP request; zero means DefaultTimeout
}

// defaultBase is the base URL each library has built in; Config.APIURL
// replaces it.
func defaultBase(k Kind) string {
	if k == Gandi {
		return "https://api.gandi.net/v5/livedns"
	}
	return "https://api.cloudflare.com/client/v4"
}

// normalized returns a copy with defaults filled in and names in the form
// the libraries expect: a lower-case zone with a trailing dot, lower-case
// relative record names, upper-case types.
func (c Config) normalized() Config {
	c.Zone = strings.ToLower(strings.TrimSuffix(c.Zone, ".")) + "."
	if c.OnDrift == "" {
		c.OnDrift = DriftFix
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	recs := make([]Record, len(c.Records))
	for i, r := range c.Records {
		r.Name = strings.ToLower(r.Name)
		r.Type = strings.ToUpper(r.Type)
		if r.TTL == 0 {
			r.TTL = limitsOf(c.Kind).def
		}
		recs[i] = r
	}
	c.Records = recs
	return c
}
