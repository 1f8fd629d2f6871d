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
	// RFC2136 is any nameserver that takes dynamic updates (RFC 2136)
	// signed with TSIG: BIND or Knot (both tested) as the zone's primary.
	RFC2136 Kind = "rfc2136"
)

// The values of Config.OnDrift.
const (
	DriftFix    = "fix"    // put a record changed by hand back
	DriftReport = "report" // only report it
)

// DefaultTimeout bounds one HTTP request (or one DNS exchange) when
// Config.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// Record is one RRset at the provider that carries a service's active
// addresses.
type Record struct {
	Name    string        // relative to the zone, "@" for the apex
	Type    string        // "A" or "AAAA"
	Service string        // the failover service whose active address it carries
	TTL     time.Duration // zero means DefaultTTL(kind)
}

// TSIGKey signs the dynamic updates and queries of an RFC2136 provider.
type TSIGKey struct {
	Name      string // "zonerw." or "zonerw"
	Algorithm string // "hmac-sha256", as in a BIND key file
	Secret    string // base64; never appears in errors or logs
	Source    string // where it came from, for messages: `key "zonerw" (file /etc/zonerw/zonerw.key)`
}

// Config describes one provider zone. The caller reads the token from a
// file or the environment (or the TSIG key from its file); no secret ever
// appears in errors or logs.
type Config struct {
	Name string // a label for logs and status, e.g. "cloudflare-example"
	Kind Kind   // Cloudflare, Gandi or RFC2136
	Zone string // "example.com", normalised to "example.com."

	// Cloudflare and Gandi.
	Token       string // the API token (Cloudflare) or personal access token (Gandi)
	TokenSource string // where the token came from, for messages: "token_file /etc/zonerw/cf.token"
	APIURL      string // optional: replaces the library's base URL (see defaultBase)

	// RFC2136.
	Server string   // the primary's "ADDR:PORT" (or "HOST:PORT")
	Key    *TSIGKey // signs every message

	Records []Record      // the records to keep pointed at their service
	OnDrift string        // DriftFix (default) or DriftReport
	Timeout time.Duration // per HTTP request or DNS exchange; zero means DefaultTimeout
}

// DefaultTTL is the TTL a record of kind k gets when it has none: the
// provider's minimum (Cloudflare 60s, Gandi 300s), 60s for RFC2136.
func DefaultTTL(k Kind) time.Duration { return limitsOf(k).def }

// defaultBase is the base URL each library has built in; Config.APIURL
// replaces it. RFC2136 has none.
func defaultBase(k Kind) string {
	switch k {
	case Gandi:
		return "https://api.gandi.net/v5/livedns"
	case Cloudflare:
		return "https://api.cloudflare.com/client/v4"
	}
	return ""
}

// credential names the token or key in messages, never its value.
func (c Config) credential() string {
	switch {
	case c.Kind == RFC2136 && c.Key != nil && c.Key.Source != "":
		return "the TSIG key " + c.Key.Source
	case c.Kind == RFC2136 && c.Key != nil:
		return "the TSIG key " + c.Key.Name
	case c.Kind == Gandi && c.TokenSource != "":
		return "the personal access token from " + c.TokenSource
	case c.Kind == Gandi:
		return "the personal access token"
	case c.TokenSource != "":
		return "the API token from " + c.TokenSource
	}
	return "the API token"
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
