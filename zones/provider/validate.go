package provider

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// Validate checks the configuration. Each error names the field it is
// about, as "records[0].ttl: ...", and errors.Join collects them all.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if strings.TrimSpace(c.Name) == "" {
		bad("name", "is empty")
	}
	switch c.Kind {
	case Cloudflare, Gandi:
		errs = append(errs, c.validateHTTP()...)
	case RFC2136:
		errs = append(errs, c.validateRFC2136()...)
	default:
		bad("type", "%q is not a supported provider (cloudflare, gandi, rfc2136)", c.Kind)
	}
	if c.Zone == "" || c.Zone == "." {
		bad("zone", "is empty")
	} else if _, ok := dns.IsDomainName(c.Zone); !ok {
		bad("zone", "%q is not a domain name", c.Zone)
	}
	switch c.OnDrift {
	case "", DriftFix, DriftReport:
	default:
		bad("on_drift", "%q is neither %q nor %q", c.OnDrift, DriftFix, DriftReport)
	}
	if c.Timeout < 0 {
		bad("timeout", "%v is negative", c.Timeout)
	}
	errs = append(errs, c.validateRecords()...)
	return errors.Join(errs...)
}

// validateHTTP checks the fields of the HTTP API providers.
func (c Config) validateHTTP() []error {
	var errs []error
	if c.Token == "" {
		errs = append(errs, errors.New("token: is empty: the token file or environment variable gave nothing"))
	}
	if err := checkAPIURL(c.APIURL); err != nil {
		errs = append(errs, fmt.Errorf("api_url: %w", err))
	}
	if c.Server != "" {
		errs = append(errs, fmt.Errorf("server: is for type rfc2136; %s takes api_url", c.Kind))
	}
	if c.Key != nil {
		errs = append(errs, fmt.Errorf("key: is for type rfc2136; %s takes a token", c.Kind))
	}
	return errs
}

// validateRFC2136 checks the fields of a dynamic-update provider.
func (c Config) validateRFC2136() []error {
	var errs []error
	if err := checkServer(c.Server); err != nil {
		errs = append(errs, fmt.Errorf("server: %w", err))
	}
	switch {
	case c.Key == nil:
		errs = append(errs, errors.New("key: is required: the TSIG key that signs the updates"))
	case c.Key.Name == "" || c.Key.Secret == "":
		errs = append(errs, errors.New("key: the TSIG key has no name or no secret"))
	default:
		if _, ok := tsigAlgorithms[dns.CanonicalName(c.Key.Algorithm)]; !ok {
			errs = append(errs, fmt.Errorf("key: algorithm %q is not one of hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512", c.Key.Algorithm))
		}
	}
	if c.Token != "" {
		errs = append(errs, errors.New("token: rfc2136 signs with a TSIG key (key), not a token"))
	}
	if c.APIURL != "" {
		errs = append(errs, errors.New("api_url: is for cloudflare and gandi; rfc2136 takes server"))
	}
	return errs
}

// tsigAlgorithms are the HMACs miekg/dns signs with.
var tsigAlgorithms = map[string]bool{dns.HmacSHA1: true, dns.HmacSHA224: true, dns.HmacSHA256: true, dns.HmacSHA384: true, dns.HmacSHA512: true}

// checkServer accepts "HOST:PORT" with a port from 1 to 65535.
func checkServer(s string) error {
	if s == "" {
		return errors.New(`is required: the primary's "ADDR:PORT"`)
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return fmt.Errorf("%q is not ADDR:PORT (an IPv6 address goes in brackets: \"[2001:db8::1]:53\")", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q: the port must be a number from 1 to 65535", s)
	}
	return nil
}

func (c Config) validateRecords() []error {
	if len(c.Records) == 0 {
		return []error{errors.New("records: none given; a provider needs at least one record to publish")}
	}
	var errs []error
	seen := map[string]int{}
	for i, r := range c.Records {
		field := fmt.Sprintf("records[%d]", i)
		for _, err := range r.problems(c.Kind) {
			errs = append(errs, fmt.Errorf("%s.%w", field, err))
		}
		if rel, ok := c.underZone(r.Name); ok {
			errs = append(errs, fmt.Errorf("%s.name: %q ends with the zone's name %q, so it would be %s.%s; names are relative to the zone: write %q",
				field, r.Name, c.zoneName(), r.Name, c.zoneName(), rel))
		}
		key := strings.ToLower(r.Name) + " " + strings.ToUpper(r.Type)
		if j, dup := seen[key]; dup {
			errs = append(errs, fmt.Errorf("%s: %s %s is already published by records[%d]", field, r.Name, r.Type, j))
		}
		seen[key] = i
	}
	return errs
}

// zoneName is the zone without its trailing dot, lower case.
func (c Config) zoneName() string { return strings.ToLower(strings.TrimSuffix(c.Zone, ".")) }

// underZone reports whether a relative record name was written as a
// fully qualified name without the trailing dot ("www.example.com" in
// zone example.com: the libraries would make it www.example.com.example.com),
// and what it should be written as ("www", or "@" for the zone itself).
func (c Config) underZone(name string) (string, bool) {
	zone, n := c.zoneName(), strings.ToLower(name)
	switch {
	case zone == "" || strings.HasSuffix(n, "."):
		return "", false // no zone, or absolute (reported on its own)
	case n == zone:
		return "@", true
	case strings.HasSuffix(n, "."+zone):
		return name[:len(n)-len(zone)-1], true
	}
	return "", false
}

// problems lists what is wrong with one record; each error starts with the
// field name so the caller can prefix the record's index.
func (r Record) problems(k Kind) []error {
	var errs []error
	switch {
	case r.Name == "":
		errs = append(errs, errors.New(`name: is empty (use "@" for the apex)`))
	case strings.HasSuffix(r.Name, "."):
		errs = append(errs, fmt.Errorf("name: %q is absolute; give it relative to the zone (\"@\" for the apex)", r.Name))
	case r.Name != "@":
		if _, ok := dns.IsDomainName(r.Name); !ok {
			errs = append(errs, fmt.Errorf("name: %q is not a domain name", r.Name))
		}
	}
	if t := strings.ToUpper(r.Type); t != "A" && t != "AAAA" {
		errs = append(errs, fmt.Errorf("type: %q is not A or AAAA", r.Type))
	}
	if r.Service == "" {
		errs = append(errs, errors.New("service: is empty"))
	}
	if err := limitsOf(k).check(r.TTL); err != nil {
		errs = append(errs, fmt.Errorf("ttl: %w", err))
	}
	return errs
}

// checkAPIURL accepts an empty string or an absolute URL. Plain http is
// accepted only for a loopback host (tests, local emulators), because the
// token travels in every request.
func checkAPIURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", s, err)
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("%q uses plain http for a host that is not loopback; the token would travel in clear", s)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%q must not carry a query, fragment or user info", s)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
