package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/dnsserver"
	"github.com/zonerw/zonerw/zones/provider"
	"github.com/zonerw/zonerw/zones/provider/sink"
)

// providerDeadline bounds one attempt to publish to a provider (its own
// retries of single requests included). A worker that runs out of time
// tries again with backoff; in cron mode the next run does.
const providerDeadline = 2 * time.Minute

// providerSet is the configured providers, ready to publish.
type providerSet struct {
	cfgs   []config.Provider
	pubs   []*provider.Publisher
	stamps []string // providerStamp of each
	// observe is told each publish or read-back's result (metrics, alerts).
	observe func(name string, err error)
	// drift is told each drift found and each that is over (audit log,
	// alerts; observe.DriftRecorder). Nil: only the report lines say so.
	drift func(sink.DriftEvent)
}

// buildProviders reads each provider's token (or TSIG key) and builds its
// publisher.
func buildProviders(cfg *config.Config, log *slog.Logger) (*providerSet, error) {
	ps := &providerSet{observe: func(string, error) {}}
	var errs []error
	for i, p := range cfg.Providers {
		pc, keyFile, err := providerConfig(cfg, p)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: providers[%d] (%s): %w", cfg.File, i, p.Name, err))
			continue
		}
		pub, err := provider.New(pc, log, time.Now)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: providers[%d] (%s): %w", cfg.File, i, p.Name, err))
			continue
		}
		ps.cfgs = append(ps.cfgs, p)
		ps.pubs = append(ps.pubs, pub)
		ps.stamps = append(ps.stamps, providerStamp(p, keyFile))
	}
	return ps, errors.Join(errs...)
}

// providerConfig reads the provider's secret: the token for cloudflare
// and gandi, the TSIG key file named by key for rfc2136. It returns the
// key file's path too.
func providerConfig(cfg *config.Config, p config.Provider) (provider.Config, string, error) {
	if p.Type != string(provider.RFC2136) {
		token, err := readToken(p)
		return p.ProviderConfig(token, p.TokenSource(), nil), "", err
	}
	for i, k := range cfg.Keys {
		if k.Name != p.Key {
			continue
		}
		key, err := dnsserver.LoadTSIGKeyFile(k.File)
		if err != nil {
			return provider.Config{}, "", fmt.Errorf("key %q (keys[%d]): %w", k.Name, i, err)
		}
		if key.Name != k.Name && key.Name != k.Name+"." {
			return provider.Config{}, "", fmt.Errorf("key %q (keys[%d]): the file %s holds key %q; use that name", k.Name, i, k.File, key.Name)
		}
		tk := &provider.TSIGKey{Name: key.Name, Algorithm: key.Algorithm, Secret: key.Secret,
			Source: fmt.Sprintf("%q (file %s)", k.Name, k.File)}
		return p.ProviderConfig("", "", tk), k.File, nil
	}
	return provider.Config{}, "", fmt.Errorf("key: no key named %q under keys", p.Key)
}

// readToken reads the API token from the file or environment variable the
// config names. Errors name the source, never the token.
func readToken(p config.Provider) (string, error) {
	if p.TokenEnv != "" {
		t := strings.TrimSpace(os.Getenv(p.TokenEnv))
		if t == "" {
			return "", fmt.Errorf("token_env: the environment variable %s is empty or unset", p.TokenEnv)
		}
		return t, nil
	}
	b, err := os.ReadFile(p.TokenFile)
	if err != nil {
		return "", fmt.Errorf("token_file: %w", err)
	}
	t := strings.TrimSpace(string(b))
	if t == "" {
		return "", fmt.Errorf("token_file: %s is empty", p.TokenFile)
	}
	return t, nil
}

// sinks are the providers as the pipeline's value destinations, each
// starting from its state st[name] (and the status it had).
func (ps *providerSet) sinks(st map[string]sink.State, mode sink.Mode, report func(string)) []*sink.Sink {
	var out []*sink.Sink
	for i, pub := range ps.pubs {
		p := ps.cfgs[i]
		var services []string
		for _, r := range p.Records {
			services = append(services, r.Service)
		}
		out = append(out, sink.New(pub, sink.Options{Name: p.Name, Services: services, VerifyEvery: p.VerifyEvery, Stamp: ps.stamps[i],
			Mode: mode, Report: report, Observe: ps.observe, Drift: ps.drift}, st[p.Name]))
	}
	return out
}

// providerStamp identifies a provider's config and the file its secret
// comes from (path, size, modification time: never its content), so that
// fixing either ends a hold at once.
func providerStamp(p config.Provider, keyFile string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%s|%s|%s|%s|%s|%s|%v", p.Name, p.Type, p.Zone, p.APIURL, p.Server, p.Key, p.TokenFile, p.TokenEnv, p.Records)
	for _, f := range []string{p.TokenFile, keyFile} {
		if fi, err := os.Stat(f); f != "" && err == nil {
			fmt.Fprintf(h, "|%s %d %d", f, fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// stillFailing reports whether a configured provider is waiting out a
// permanent failure, so that a cron run that did not retry it still
// exits 1.
func (ps *providerSet) stillFailing(st map[string]sink.State, now time.Time) bool {
	for _, p := range ps.cfgs {
		if st[p.Name].NextAttempt.After(now) {
			return true
		}
	}
	return false
}
