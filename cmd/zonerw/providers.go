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
	"sync"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/zones/provider"
	"github.com/zonerw/zonerw/zones/publish"
)

// providerDeadline bounds one attempt to publish to a provider (its own
// retries of single requests included). A worker that runs out of time
// tries again with backoff; in cron mode the next run does.
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
}

// providerSet is the configured providers, ready to publish.
type providerSet struct {
	cfgs []config.Provider
	pubs []*provider.Publisher
	// observe is told each publish or read-back's result (metrics, alerts).
	observe func(name string, err error)
}

// buildProviders reads each provider's token and builds its publisher.
func buildProviders(cfg *config.Config, log *slog.Logger) (*providerSet, error) {
	ps := &providerSet{observe: func(string, error) {}}
	var errs []error
	for i, p := range cfg.Providers {
		token, err := readToken(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: providers[%d] (%s): %w", cfg.File, i, p.Name, err))
			continue
		}
		pub, err := provider.New(p.ProviderConfig(token), log, time.Now)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: providers[%d] (%s): %w", cfg.File, i, p.Name, err))
			continue
		}
		ps.cfgs = append(ps.cfgs, p)
		ps.pubs = append(ps.pubs, pub)
	}
	return ps, errors.Join(errs...)
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
func wantedAddrs(v publish.Values) map[string][]netip.Addr {
	out := map[string][]netip.Addr{}
	for svc, addrs := range v.Active {
		out[svc] = append(append([]netip.Addr{}, addrs.IPv4...), addrs.IPv6...)
	}
	return out
}

// providerSinks are the providers as the pipeline's value destinations.
func (ps *providerSet) sinks(st map[string]providerState, mode sinkMode, report func(string)) []*providerSink {
	var out []*providerSink
	for i, pub := range ps.pubs {
		out = append(out, &providerSink{cfg: ps.cfgs[i], pub: pub, mode: mode, report: report, observe: ps.observe, state: st[ps.cfgs[i].Name]})
	}
	return out
}

// sinkMode says what a providerSink does besides publishing changes.
type sinkMode int

const (
	// sinkDaemon publishes changes only; the daemon verifies on a timer.
	sinkDaemon sinkMode = iota
	// sinkCron also reads the records back when VerifyEvery has passed.
	sinkCron
	// sinkDryRun prints the API calls a publish would make.
	sinkDryRun
)

// providerSink keeps one provider's records holding what the services
// serve: the pipeline's value destination for it.
type providerSink struct {
	cfg     config.Provider
	pub     *provider.Publisher
	mode    sinkMode
	report  func(string)                 // one line per change or drift
	observe func(name string, err error) // metrics, alerts

	mu    sync.Mutex // guards state; held across a call, one at a time
	state providerState
}

var _ publish.ValueDestination = (*providerSink)(nil)

// Deliver publishes what the services serve when it differs from what
// was last published there (and, in cron mode, reads the records back
// when a check is due).
func (p *providerSink) Deliver(ctx context.Context, v publish.Values) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	want := only(wantedAddrs(v), p.cfg)
	if p.mode == sinkDryRun {
		lines, err := p.pub.Plan(ctx, want)
		for _, l := range lines {
			p.report(fmt.Sprintf("provider %s: would %s", p.cfg.Name, l))
		}
		return p.named(err)
	}
	wantStr := addrStrings(want)
	if !maps.EqualFunc(p.state.Published, wantStr, slices.Equal) {
		err := p.pub.Publish(ctx, want)
		p.observe(p.cfg.Name, err)
		if err != nil {
			p.state.LastError = err.Error()
			return p.named(err)
		}
		p.state.Published, p.state.LastVerify, p.state.LastError = wantStr, time.Now(), ""
		p.report(fmt.Sprintf("provider %s: published %s", p.cfg.Name, describe(wantStr)))
		return nil
	}
	if p.mode == sinkCron && time.Since(p.state.LastVerify) >= p.cfg.VerifyEvery {
		return p.verifyLocked(ctx, want)
	}
	return nil
}

// Verify reads the records back and puts a hand-made change back (or
// reports it), against what was last published.
func (p *providerSink) Verify(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state.Published == nil {
		return nil // nothing published yet: the next publish reads back anyway
	}
	want := map[string][]netip.Addr{}
	for svc, addrs := range p.state.Published {
		for _, a := range addrs {
			want[svc] = append(want[svc], netip.MustParseAddr(a))
		}
	}
	return p.verifyLocked(ctx, want)
}

func (p *providerSink) verifyLocked(ctx context.Context, want map[string][]netip.Addr) error {
	drift, err := p.pub.Reconcile(ctx, want)
	p.observe(p.cfg.Name, err)
	if err != nil {
		p.state.LastError = err.Error()
		return p.named(err)
	}
	p.state.LastVerify, p.state.LastError = time.Now(), ""
	for _, d := range drift {
		what := "reported (on_drift: report)"
		if d.Fixed {
			what = "put back"
		}
		p.report(fmt.Sprintf("provider %s: drift on %s %s: holds %s, want %s; %s",
			p.cfg.Name, d.Record.Name, d.Record.Type, strings.Join(d.Live, ","), joinAddrs(d.Want), what))
	}
	return nil
}

// named prefixes an error with the provider's name, once.
func (p *providerSink) named(err error) error {
	if err == nil || strings.HasPrefix(err.Error(), p.cfg.Name+":") {
		return err
	}
	return fmt.Errorf("provider %s: %w", p.cfg.Name, err)
}

// snapshot is the sink's part of the state file.
func (p *providerSink) snapshot() providerState {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.state
	s.Published = maps.Clone(s.Published)
	return s
}

// trySnapshot is snapshot, or false while a call holds the sink (the
// state file is then written again once it returns).
func (p *providerSink) trySnapshot() (providerState, bool) {
	if !p.mu.TryLock() {
		return providerState{}, false
	}
	defer p.mu.Unlock()
	s := p.state
	s.Published = maps.Clone(s.Published)
	return s, true
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
