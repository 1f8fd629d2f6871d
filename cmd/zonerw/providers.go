package main

import (
	"cmp"
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
	"github.com/zonerw/zonerw/dnsserver"
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
	// drift is told each drift found and each that is over (audit log,
	// alerts; drift.go). Nil: only the report lines say so.
	drift func(driftEvent)
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
func wantedAddrs(v publish.Values) map[string][]netip.Addr {
	out := map[string][]netip.Addr{}
	for svc, addrs := range v.Active {
		out[svc] = append(append([]netip.Addr{}, addrs.IPv4...), addrs.IPv6...)
	}
	return out
}

// sinks are the providers as the pipeline's value destinations, each
// starting from its state st[name] (and the status it had).
func (ps *providerSet) sinks(st map[string]providerState, mode sinkMode, report func(string)) []*providerSink {
	var out []*providerSink
	for i, pub := range ps.pubs {
		s := st[ps.cfgs[i].Name]
		if s.Status != nil {
			pub.Restore(*s.Status)
		}
		out = append(out, &providerSink{cfg: ps.cfgs[i], pub: pub, stamp: ps.stamps[i], mode: mode, report: report, observe: ps.observe, drift: ps.drift, state: s})
	}
	return out
}

// sinkMode says what a providerSink does besides publishing changes.
type sinkMode int

const (
	// sinkDaemon publishes changes only; the daemon verifies on a timer
	// and its worker spaces out the retries.
	sinkDaemon sinkMode = iota
	// sinkCron also reads the records back when VerifyEvery has passed,
	// and after a permanent failure waits out its hold (providerhold.go).
	sinkCron
	// sinkDryRun prints the API calls a publish would make.
	sinkDryRun
)

// providerSink keeps one provider's records holding what the services
// serve: the pipeline's value destination for it.
type providerSink struct {
	cfg     config.Provider
	pub     *provider.Publisher
	stamp   string // providerStamp: its config and credential file
	mode    sinkMode
	report  func(string)                 // one line per change or drift
	observe func(name string, err error) // metrics, alerts
	drift   func(driftEvent)             // audit log, alerts; may be nil

	mu    sync.Mutex // guards state; held across a call, one at a time
	state providerState
}

var _ publish.ValueDestination = (*providerSink)(nil)

// Deliver publishes what the services serve when it differs from what
// was last published there (and, in cron mode, reads the records back
// when a check is due). A permanent failure (a refused token, a missing
// permission or zone) comes back wrapped so that the worker waits the
// provider's long retry delay, not its backoff.
func (p *providerSink) Deliver(ctx context.Context, v publish.Values) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	want := only(wantedAddrs(v), p.cfg)
	if p.mode == sinkDryRun {
		lines, err := p.pub.Plan(ctx, want)
		for _, l := range lines {
			p.report(fmt.Sprintf("provider %s (dry run): %s", p.cfg.Name, l))
		}
		return p.named(err)
	}
	wantStr := addrStrings(want)
	now := time.Now()
	if p.state.held(now, wantStr, p.stamp) {
		// The last failure needs the operator; see providerhold.go. The
		// daemon's worker hears it again, with the time left.
		if p.mode == sinkDaemon {
			last := cmp.Or(p.state.LastError, "a permanent failure")
			return holdError{err: p.named(errors.New(last)), wait: p.state.NextAttempt.Sub(now)}
		}
		return nil
	}
	var err error
	switch {
	case !maps.EqualFunc(p.state.Published, wantStr, slices.Equal):
		before := standingDrift(p.pub.Status())
		err = p.pub.Publish(ctx, want)
		p.observe(p.cfg.Name, err)
		p.tellDrift(before, nil)
		if err == nil {
			p.state.Published, p.state.LastVerify = wantStr, now
			p.report(fmt.Sprintf("provider %s: published %s", p.cfg.Name, describe(wantStr)))
		}
	case p.mode == sinkCron && now.Sub(p.state.LastVerify) >= p.cfg.VerifyEvery:
		err = p.verifyLocked(ctx, want)
	default:
		return nil
	}
	return p.finish(err, now, wantStr)
}

// finish records how a call went: the status, the failure count and, for
// a permanent failure, when to try again.
func (p *providerSink) finish(err error, now time.Time, want map[string][]string) error {
	p.state.afterSync(err, now, want, p.stamp, p.pub.Status())
	if err == nil {
		p.state.LastError = ""
		return nil
	}
	p.state.LastError = err.Error()
	err = p.named(err)
	if f := provider.Classify(err); f.Permanent() {
		return holdError{err: err, wait: p.state.NextAttempt.Sub(now)}
	}
	if ra := provider.RetryAfter(err); ra > 0 {
		return retryAfterError{err: err, wait: ra}
	}
	return err
}

// retryAfterError asks the worker to wait at least wait before trying
// again (publish.Retry honours a RetryAfter method).
type retryAfterError struct {
	err  error
	wait time.Duration
}

func (e retryAfterError) Error() string             { return e.err.Error() }
func (e retryAfterError) Unwrap() error             { return e.err }
func (e retryAfterError) RetryAfter() time.Duration { return e.wait }

// holdError asks the worker to wait wait before trying again after a
// permanent failure, unless something changes first: new addresses, or a
// reload with a fixed token (publish.Retry honours a HoldFor method).
type holdError struct {
	err  error
	wait time.Duration
}

func (e holdError) Error() string          { return e.err.Error() }
func (e holdError) Unwrap() error          { return e.err }
func (e holdError) HoldFor() time.Duration { return e.wait }

// Verify reads the records back and puts a hand-made change back (or
// reports it), against what was last published. While a publish runs it
// does nothing: the publish reads the records back itself, and one that
// hangs (an API that stops answering) must not hold the read-back timer,
// and with it a reload or the daemon's shutdown, until it gives up.
func (p *providerSink) Verify(ctx context.Context) error {
	if !p.mu.TryLock() {
		return nil
	}
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
	return p.finish(p.verifyLocked(ctx, want), time.Now(), p.state.Published)
}

// verifyLocked reads the records back (a drift check); p.mu is held.
func (p *providerSink) verifyLocked(ctx context.Context, want map[string][]netip.Addr) error {
	before := standingDrift(p.pub.Status())
	drift, err := p.pub.Reconcile(ctx, want)
	p.observe(p.cfg.Name, err)
	p.tellDrift(before, drift)
	if err != nil {
		return err
	}
	p.state.LastVerify = time.Now()
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
