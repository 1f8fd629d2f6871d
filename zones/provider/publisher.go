package provider

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
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
	route *rewriter // set for Gandi: carried in the context to the global hook
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
// it already rewritten to Config.APIURL.
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
	if o.transport == nil {
		o.transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	cfg = cfg.normalized()
	rt, err := newRewriter(cfg.Kind, cfg.APIURL, cfg.Timeout, o.transport)
	if err != nil {
		return nil, fmt.Errorf("provider %q: %w", cfg.Name, err)
	}
	p := &Publisher{cfg: cfg, log: log.With("provider", cfg.Name), clock: clock, sleep: o.sleep}
	p.status.init(cfg)
	switch cfg.Kind {
	case Cloudflare:
		// The rewriter bounds each request by cfg.Timeout; a Client.Timeout
		// as well would race it and hide which limit fired.
		client := &http.Client{Transport: rt}
		p.api = &cloudflare.Provider{APIToken: cfg.Token, HTTPClient: client}
	case Gandi:
		installGandiHook()
		p.api, p.route = &gandi.Provider{BearerToken: cfg.Token}, rt
	}
	return p, nil
}

// Name is the label given in Config.Name.
func (p *Publisher) Name() string { return p.cfg.Name }

// call runs one library call with an exchange recorder in its context, and
// turns its error into an *apiError (token redacted). A panic inside the
// library (libdns/cloudflare panics on some malformed list responses)
// becomes an error too.
func (p *Publisher) call(ctx context.Context, op string, fn func(context.Context) error) (err error) {
	ex := &exchange{}
	ctx = withExchange(ctx, ex)
	if p.route != nil {
		ctx = withRoute(ctx, p.route)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the library failed on the API's response: %v", r)
		}
		if err != nil {
			err = &apiError{provider: p.cfg.Name, op: op, resp: ex.last(), timeout: p.cfg.Timeout, err: redact(err, p.cfg.Token)}
		}
	}()
	return fn(ctx)
}

// retry runs fn until it succeeds, fails for good, maxAttempts have been
// made or ctx is done. Each failure that will be retried is logged.
func (p *Publisher) retry(ctx context.Context, what string, fn func(context.Context) error) error {
	for n := 1; ; n++ {
		err := fn(ctx)
		if err == nil || !retryable(err) {
			return err
		}
		if n == maxAttempts {
			return fmt.Errorf("%w (gave up after %d attempts)", err, n)
		}
		wait := p.delay(err, n)
		p.log.Warn("provider call failed; will retry", "what", what, "attempt", n, "wait", wait, "err", err)
		if serr := p.sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%w (stopped retrying: %w)", err, serr)
		}
	}
}
