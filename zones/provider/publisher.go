package provider

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/libdns/cloudflare"
	"github.com/libdns/gandi"
	"github.com/libdns/libdns"
)

// zoneAPI is what a Publisher needs from a libdns provider.
type zoneAPI interface {
	libdns.RecordGetter
	libdns.RecordAppender
	libdns.RecordSetter
	libdns.RecordDeleter
}

// Publisher keeps one provider zone's records pointed at the active
// addresses of their services. Its methods are safe for concurrent use;
// they run one at a time.
type Publisher struct {
	cfg   Config // normalised
	api   zoneAPI
	fresh func() zoneAPI // a new library client (drops its zone-id cache)
	rt    *rewriter      // HTTP kinds: the transport under the library
	route *rewriter      // set for Gandi: carried in the context to the global hook
	diag  *http.Client   // HTTP kinds: asks the API why a request was refused
	log   *slog.Logger
	clock func() time.Time
	sleep SleepFunc

	mu     sync.Mutex // serialises Publish, Reconcile and Plan
	status statusBox
}

// Option changes how New builds a Publisher.
type Option func(*options)

type options struct {
	sleep     SleepFunc
	transport http.RoundTripper
}

// WithSleep replaces the wait between retries (tests make it instant and
// record the durations).
func WithSleep(s SleepFunc) Option { return func(o *options) { o.sleep = s } }

// WithTransport replaces the transport under the Publisher's own
// RoundTripper (default: a clone of http.DefaultTransport). Requests reach
// it already rewritten to Config.APIURL. RFC2136 does not use HTTP.
func WithTransport(rt http.RoundTripper) Option { return func(o *options) { o.transport = rt } }

// New validates cfg and builds a Publisher. For Kind Gandi it installs the
// process-wide hook described in the package documentation.
func New(cfg Config, log *slog.Logger, clock func() time.Time, opts ...Option) (*Publisher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("provider %q: %w", cfg.Name, err)
	}
	o := options{sleep: sleepCtx}
	for _, opt := range opts {
		opt(&o)
	}
	cfg = cfg.normalized()
	p := &Publisher{cfg: cfg, log: log.With("provider", cfg.Name), clock: clock, sleep: o.sleep}
	p.status.init(cfg)
	if cfg.Kind == RFC2136 {
		p.fresh = func() zoneAPI { return newDNSUpdater(cfg) }
		p.api = p.fresh()
		return p, nil
	}
	if o.transport == nil {
		o.transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	rt, err := newRewriter(cfg.Kind, cfg.APIURL, cfg.Timeout, o.transport)
	if err != nil {
		return nil, fmt.Errorf("provider %q: %w", cfg.Name, err)
	}
	// The rewriter bounds each request by cfg.Timeout; a Client.Timeout
	// as well would race it and hide which limit fired.
	p.rt, p.diag = rt, &http.Client{Transport: rt}
	switch cfg.Kind {
	case Cloudflare:
		p.fresh = func() zoneAPI { return &cloudflare.Provider{APIToken: cfg.Token, HTTPClient: p.diag} }
	case Gandi:
		installGandiHook()
		p.fresh = func() zoneAPI { return &gandi.Provider{BearerToken: cfg.Token} }
		p.route = rt
	}
	p.api = p.fresh()
	return p, nil
}

// RecordsKey identifies the configured records (name, type, service,
// TTL), so that a caller can tell when they changed: "www A web 60s, @
// AAAA web 60s".
func (p *Publisher) RecordsKey() string {
	var parts []string
	for _, r := range p.cfg.Records {
		parts = append(parts, fmt.Sprintf("%s %s %s %s", r.Name, r.Type, r.Service, secs(r.TTL)))
	}
	return strings.Join(parts, ", ")
}

// Name is the label given in Config.Name.
func (p *Publisher) Name() string { return p.cfg.Name }

// call runs one library call with an exchange recorder in its context, and
// turns its error into a classified *apiError (secrets redacted, the
// configured API URL in place of the library's built-in one). A panic
// inside the library (libdns/cloudflare panics on some malformed list
// responses) becomes an error too.
func (p *Publisher) call(ctx context.Context, op string, fn func(context.Context) error) error {
	return p.callRecord(ctx, "", op, fn)
}

// callRecord is call for a change to one record, named by record ("www.example.com. A"):
// a refusal of that change names it.
func (p *Publisher) callRecord(ctx context.Context, record, op string, fn func(context.Context) error) (err error) {
	ex := &exchange{}
	cctx := withExchange(ctx, ex)
	if p.route != nil {
		cctx = withRoute(cctx, p.route)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the library failed on the API's response: %v", r)
		}
		if err != nil {
			err = p.classify(ctx, op, record, ex.response(), p.clean(err))
		}
	}()
	return fn(cctx)
}

// clean hides the secrets in a library error and names the configured
// API URL instead of the library's built-in one.
func (p *Publisher) clean(err error) error {
	err = redact(err, p.cfg.Token)
	if p.cfg.Key != nil {
		err = redact(err, p.cfg.Key.Secret)
	}
	if p.rt != nil {
		err = replace(err, defaultBase(p.cfg.Kind), p.rt.base())
	}
	return err
}

// retry runs fn until it succeeds, fails for good, maxAttempts have been
// made or ctx is done. Each failure that will be retried is logged.
func (p *Publisher) retry(ctx context.Context, what string, fn func(context.Context) error) error {
	b := newBackOff()
	for n := 1; ; n++ {
		err := fn(ctx)
		if err == nil || !retryable(err) {
			return err
		}
		if n == maxAttempts {
			return fmt.Errorf("%w (gave up after %d attempts)", err, n)
		}
		wait := p.delay(err, b)
		p.log.Warn("provider call failed; will retry", "what", what, "attempt", n, "wait", wait, "err", err)
		if what != "plan" {
			p.status.retrying(p.clock(), fmt.Errorf("retrying (attempt %d of %d failed): %w", n, maxAttempts, err))
		}
		if serr := p.sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%w (stopped retrying: %w)", err, serr)
		}
	}
}
