package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/netip"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/dnsserver"
	"github.com/zonerw/zonerw/zones/provider"
)

// providerDeadline bounds one provider's publish in a pass. Cloudflare may
// ask for a five-minute wait when rate limited; a publish that runs out of
// time is retried on the next pass, so nothing is lost.
const providerDeadline = 2 * time.Minute

// providerState is what is remembered about one provider between runs.
type providerState struct {
	// Published is what the last successful publish left at the provider:
	// service -> addresses. A publish happens whenever it differs from
	// what the services want, so a failed one is retried every pass and
	// survives a restart.
	Published  map[string][]string `json:"published,omitempty"`
	LastVerify time.Time           `json:"last_verify,omitzero"`
	LastError  string              `json:"last_error,omitempty"`
	// Status is the publisher's status after the last sync: the live
	// values and when they were read, the pending change, the failure.
	// `zonerw status` and `zonerw explain` show it without a daemon.
	Status *provider.Status `json:"status,omitempty"`
	// Failures counts the syncs that failed in a row. After a permanent
	// failure nothing is tried before NextAttempt unless what would be
	// published (FailedWant) or the config and credential (HeldStamp)
	// changed; see providerhold.go.
	Failures    int                 `json:"failures,omitempty"`
	NextAttempt time.Time           `json:"next_attempt,omitzero"`
	FailedWant  map[string][]string `json:"failed_want,omitempty"`
	HeldStamp   string              `json:"held_stamp,omitempty"`
}

// providerSet is the configured providers, ready to publish.
type providerSet struct {
	cfgs   []config.Provider
	pubs   []*provider.Publisher
	stamps []string // providerStamp of each
	// observe is told each publish or read-back's result (metrics, alerts).
	observe func(name string, err error)
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

// wantedAddrs is what every service serves now, as the providers take it.
func (a *app) wantedAddrs(act map[string][]string) map[string][]netip.Addr {
	out := map[string][]netip.Addr{}
	for svc, addrs := range a.active(act) {
		out[svc] = append(append([]netip.Addr{}, addrs.IPv4...), addrs.IPv6...)
	}
	return out
}

// sync brings every provider up to date with want: a publish when the
// services' addresses differ from what was last published there, else a
// read-back (drift check) once VerifyEvery has passed, or always when
// verify is set. report gets one line per change or drift. With dryRun
// it prints the API calls a publish would make and changes nothing.
func (ps *providerSet) sync(ctx context.Context, want map[string][]netip.Addr, st map[string]providerState, verify, dryRun bool, report func(string)) error {
	var errs []error
	now := time.Now()
	for i, pub := range ps.pubs {
		cfg := ps.cfgs[i]
		s := st[cfg.Name]
		if s.Status != nil {
			pub.Restore(*s.Status)
		}
		wantStr := addrStrings(only(want, cfg))
		if !dryRun && s.held(now, wantStr, ps.stamps[i]) {
			continue // the last failure needs the operator; see providerhold.go
		}
		pctx, cancel := context.WithTimeout(ctx, providerDeadline)
		err := ps.syncOne(pctx, pub, cfg, want, &s, verify, dryRun, report)
		cancel()
		if !dryRun {
			s.afterSync(err, now, wantStr, ps.stamps[i], pub.Status())
		}
		if err != nil {
			s.LastError = err.Error()
			if !strings.HasPrefix(err.Error(), cfg.Name+":") {
				err = fmt.Errorf("provider %s: %w", cfg.Name, err)
			}
			errs = append(errs, err)
		} else {
			s.LastError = ""
		}
		if !dryRun {
			st[cfg.Name] = s
		}
	}
	return errors.Join(errs...)
}

func (ps *providerSet) syncOne(ctx context.Context, pub *provider.Publisher, cfg config.Provider, want map[string][]netip.Addr,
	s *providerState, verify, dryRun bool, report func(string)) error {
	now := time.Now()
	want = only(want, cfg)
	wantStr := addrStrings(want)
	if dryRun {
		lines, err := pub.Plan(ctx, want)
		for _, l := range lines {
			report(fmt.Sprintf("provider %s (dry run): %s", cfg.Name, l))
		}
		return err
	}
	if !maps.EqualFunc(s.Published, wantStr, slices.Equal) {
		err := pub.Publish(ctx, want)
		ps.observe(cfg.Name, err)
		if err != nil {
			return err
		}
		s.Published, s.LastVerify = wantStr, now
		report(fmt.Sprintf("provider %s: published %s", cfg.Name, describe(wantStr)))
		return nil
	}
	if !verify && now.Sub(s.LastVerify) < cfg.VerifyEvery {
		return nil
	}
	drift, err := pub.Reconcile(ctx, want)
	ps.observe(cfg.Name, err)
	if err != nil {
		return err
	}
	s.LastVerify = now
	for _, d := range drift {
		what := "reported (on_drift: report)"
		if d.Fixed {
			what = "put back"
		}
		report(fmt.Sprintf("provider %s: drift on %s %s: holds %s, want %s; %s",
			cfg.Name, d.Record.Name, d.Record.Type, strings.Join(d.Live, ","), joinAddrs(d.Want), what))
	}
	return nil
}

// only keeps the services the provider's records carry.
func only(want map[string][]netip.Addr, cfg config.Provider) map[string][]netip.Addr {
	out := map[string][]netip.Addr{}
	for _, r := range cfg.Records {
		out[r.Service] = want[r.Service]
	}
	return out
}

func addrStrings(want map[string][]netip.Addr) map[string][]string {
	out := map[string][]string{}
	for svc, addrs := range want {
		for _, a := range addrs {
			out[svc] = append(out[svc], a.String())
		}
		slices.Sort(out[svc])
	}
	return out
}

func describe(m map[string][]string) string {
	var parts []string
	for _, svc := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, svc+"="+strings.Join(m[svc], ","))
	}
	return strings.Join(parts, " ")
}

func joinAddrs(as []netip.Addr) string {
	var s []string
	for _, a := range as {
		s = append(s, a.String())
	}
	return strings.Join(s, ",")
}
