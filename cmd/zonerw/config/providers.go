package config

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/zonerw/zonerw/zones/provider"
)

// ProviderConfig turns a provider entry into the publisher's config, with
// the secret the caller has read: the API token and where it came from
// (cloudflare, gandi), or the TSIG key (rfc2136).
func (p Provider) ProviderConfig(token, source string, key *provider.TSIGKey) provider.Config {
	pc := provider.Config{
		Name: p.Name, Kind: provider.Kind(p.Type), Zone: p.Zone, Token: token, TokenSource: source,
		APIURL: p.APIURL, Server: p.Server, Key: key, OnDrift: p.OnDrift, Timeout: p.Timeout,
	}
	for _, r := range p.Records {
		pc.Records = append(pc.Records, provider.Record{Name: r.Name, Type: r.Type, Service: r.Service, TTL: r.TTL})
	}
	return pc
}

// TokenSource names where a provider's token is read from, for messages:
// "token_file /etc/zonerw/cf.token" or "token_env CLOUDFLARE_API_TOKEN".
func (p Provider) TokenSource() string {
	if p.TokenEnv != "" {
		return "token_env " + p.TokenEnv
	}
	return "token_file " + p.TokenFile
}

// placeholderKey stands in for a TSIG key file that is read later.
var placeholderKey = &provider.TSIGKey{Name: "placeholder", Algorithm: "hmac-sha256", Secret: "cGxhY2Vob2xkZXI="}

// validateProviders checks each provider entry with the provider
// package's own rules (TTL limits per API and so on) and adds what only
// the whole config knows: token sources, key names and service names.
func (c *Config) validateProviders(l *locator, services map[string]bool) []error {
	var errs []error
	seen := map[string]bool{}
	keys := map[string]bool{}
	for _, k := range c.Keys {
		keys[k.Name] = true
	}
	for i, p := range c.Providers {
		base := at("providers", i)
		hasToken := p.TokenFile != "" || p.TokenEnv != ""
		switch {
		case p.Type == string(provider.RFC2136) && hasToken:
			errs = append(errs, l.errorf(base, "rfc2136 signs its updates with a TSIG key: give key, not token_file or token_env"))
		case p.Type != string(provider.RFC2136) && (p.TokenFile == "") == (p.TokenEnv == ""):
			errs = append(errs, l.errorf(base, "give exactly one of token_file and token_env (the API token never goes in this file)"))
		}
		if p.Key != "" && !keys[p.Key] && p.Type == string(provider.RFC2136) {
			errs = append(errs, l.errorf(append(base, "key"), "no key named %q under keys", p.Key))
		}
		if seen[p.Name] {
			errs = append(errs, l.errorf(append(base, "name"), "provider %q is defined twice", p.Name))
		}
		seen[p.Name] = true
		if p.VerifyEvery < 0 {
			errs = append(errs, l.errorf(append(base, "verify_every"), "must be positive"))
		}
		// The secrets are read later; placeholders keep Validate from
		// reporting them missing here.
		token, key := "", (*provider.TSIGKey)(nil)
		if p.Type != string(provider.RFC2136) {
			token = "placeholder"
		}
		if p.Key != "" {
			key = placeholderKey
		}
		err := p.ProviderConfig(token, "", key).Validate()
		errs = append(errs, relocate(l, base, err)...)
		for j, r := range p.Records {
			if !services[r.Service] {
				errs = append(errs, l.errorf(append(base, "records", j, "service"), "no service named %q", r.Service))
			}
		}
	}
	return errs
}

// fieldPath matches the "records[0].ttl: " prefix of a provider error.
var fieldPath = regexp.MustCompile(`^([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+)*): (.*)$`)

// relocate turns the provider package's "records[0].ttl: msg" errors into
// this file's "file:line: providers[i].records[0].ttl: msg".
func relocate(l *locator, base []any, err error) []error {
	if err == nil {
		return nil
	}
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	var out []error
	for _, e := range list {
		m := fieldPath.FindStringSubmatch(e.Error())
		if m == nil {
			out = append(out, l.errorf(base, "%v", e))
			continue
		}
		out = append(out, l.errorf(append(append([]any{}, base...), splitPath(m[1])...), "%s", m[2]))
	}
	return out
}

// splitPath turns "records[0].ttl" into ["records", 0, "ttl"].
func splitPath(p string) []any {
	var out []any
	for _, part := range strings.Split(p, ".") {
		name, idx, hasIdx := strings.Cut(part, "[")
		out = append(out, name)
		if hasIdx {
			n, _ := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			out = append(out, n)
		}
	}
	return out
}
