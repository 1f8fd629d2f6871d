package config

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/zonerw/zonerw/zones/provider"
)

// ProviderConfig turns a provider entry into the publisher's config, with
// the token the caller has read.
func (p Provider) ProviderConfig(token string) provider.Config {
	pc := provider.Config{
		Name: p.Name, Kind: provider.Kind(p.Type), Zone: p.Zone, Token: token,
		APIURL: p.APIURL, OnDrift: p.OnDrift, Timeout: p.Timeout,
	}
	for _, r := range p.Records {
		pc.Records = append(pc.Records, provider.Record{Name: r.Name, Type: r.Type, Service: r.Service, TTL: r.TTL})
	}
	return pc
}

// validateProviders checks each provider entry with the provider
// package's own rules (TTL limits per API and so on) and adds what only
// the whole config knows: token sources and service names.
func (c *Config) validateProviders(l *locator, services map[string]bool) []error {
	var errs []error
	seen := map[string]bool{}
	for i, p := range c.Providers {
		base := at("providers", i)
		if (p.TokenFile == "") == (p.TokenEnv == "") {
			errs = append(errs, l.errorf(base, "give exactly one of token_file and token_env (the API token never goes in this file)"))
		}
		if seen[p.Name] {
			errs = append(errs, l.errorf(append(base, "name"), "provider %q is defined twice", p.Name))
		}
		seen[p.Name] = true
		if p.VerifyEvery < 0 {
			errs = append(errs, l.errorf(append(base, "verify_every"), "must be positive"))
		}
		// The token is read later; a placeholder keeps Validate from
		// reporting it missing here.
		err := p.ProviderConfig("placeholder").Validate()
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
