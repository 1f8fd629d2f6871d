package sink

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/zonerw/zonerw/zones/provider"
	"github.com/zonerw/zonerw/zones/publish"
)

// Mode says what a Sink does besides publishing changes.
type Mode int

const (
	// Daemon publishes changes only; the daemon verifies on a timer and
	// its worker spaces out the retries.
	Daemon Mode = iota
	// Cron also reads the records back when VerifyEvery has passed, and
	// after a permanent failure waits out its hold.
	Cron
	// DryRun prints the API calls a publish would make.
	DryRun
)

// Options are what a Sink needs besides its publisher.
type Options struct {
	// Name is the provider's name, as the config and the state file
	// write it.
	Name string
	// Services are the services the provider's records carry.
	Services []string
	// VerifyEvery is how often the records are read back.
	VerifyEvery time.Duration
	// Stamp identifies the provider's config and credential file: when
	// it changes, a hold after a permanent failure ends at once.
	Stamp string
	Mode  Mode
	// Report is told one line per change or drift.
	Report func(string)
	// Observe is told each publish or read-back's result (metrics,
	// alerts).
	Observe func(name string, err error)
	// Drift is told each drift found and each that is over (audit log,
	// alerts). Nil: only the report lines say so.
	Drift func(DriftEvent)
}

// Sink keeps one provider's records holding what the services serve:
// the pipeline's value destination for it.
type Sink struct {
	opts Options
	pub  *provider.Publisher

	mu    sync.Mutex // guards state; held across a call, one at a time
	state State
}

var _ publish.ValueDestination = (*Sink)(nil)

// New makes the sink of pub, starting from st (and the status it had).
func New(pub *provider.Publisher, opts Options, st State) *Sink {
	if st.Status != nil {
		pub.Restore(*st.Status)
	}
	return &Sink{opts: opts, pub: pub, state: st}
}

// Name is the provider's name.
func (p *Sink) Name() string { return p.opts.Name }

// VerifyEvery is how often the records are to be read back.
func (p *Sink) VerifyEvery() time.Duration { return p.opts.VerifyEvery }

// Deliver publishes what the services serve when it differs from what
// was last published there (and, in cron mode, reads the records back
// when a check is due). A permanent failure (a refused token, a missing
// permission or zone) comes back wrapped so that the worker waits the
// provider's long retry delay, not its backoff.
func (p *Sink) Deliver(ctx context.Context, v publish.Values) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	want := p.only(wantedAddrs(v))
	if p.opts.Mode == DryRun {
		lines, err := p.pub.Plan(ctx, want)
		for _, l := range lines {
			p.opts.Report(fmt.Sprintf("provider %s (dry run): %s", p.opts.Name, l))
		}
		return p.named(err)
	}
	wantStr := addrStrings(want)
	now := time.Now()
	if p.state.held(now, wantStr, p.opts.Stamp) {
		// The last failure needs the operator; see held. The daemon's
		// worker hears it again, with the time left.
		if p.opts.Mode == Daemon {
			last := cmp.Or(p.state.LastError, "a permanent failure")
			return holdError{err: p.named(errors.New(last)), wait: p.state.NextAttempt.Sub(now)}
		}
		return nil
	}
	var err error
	records := p.pub.RecordsKey()
	switch {
	case !maps.EqualFunc(p.state.Published, wantStr, slices.Equal) || p.state.Records != records:
		// What the services serve changed, or the records did (one
		// added to the config, a TTL changed), or the last publish did
		// not finish (Published is nil then).
		before := standingDrift(p.pub.Status())
		err = p.pub.Publish(ctx, want)
		p.opts.Observe(p.opts.Name, err)
		p.tellDrift(before, nil)
		if err == nil {
			p.state.Published, p.state.Records, p.state.LastVerify = wantStr, records, now
			p.opts.Report(fmt.Sprintf("provider %s: published %s", p.opts.Name, describe(wantStr)))
		} else {
			// Part of it may have been written: the provider holds
			// neither what was published before nor all of want. The
			// next call publishes whatever is wanted then, even if it
			// is what was published before; a read-back must not take
			// the records written for drift.
			p.state.Published, p.state.Records = nil, ""
		}
	case p.opts.Mode == Cron && now.Sub(p.state.LastVerify) >= p.opts.VerifyEvery:
		err = p.verifyLocked(ctx, want)
	default:
		return nil
	}
	return p.finish(err, now, wantStr)
}

// finish records how a call went: the status, the failure count and, for
// a permanent failure, when to try again.
func (p *Sink) finish(err error, now time.Time, want map[string][]string) error {
	p.state.afterSync(err, now, want, p.opts.Stamp, p.pub.Status())
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
// reports it), against what was last published. After a publish that
// failed there is nothing to compare with: the publish is retried
// instead. While a publish runs it
// does nothing: the publish reads the records back itself, and one that
// hangs (an API that stops answering) must not hold the read-back timer,
// and with it a reload or the daemon's shutdown, until it gives up.
func (p *Sink) Verify(ctx context.Context) error {
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
func (p *Sink) verifyLocked(ctx context.Context, want map[string][]netip.Addr) error {
	before := standingDrift(p.pub.Status())
	drift, err := p.pub.Reconcile(ctx, want)
	p.opts.Observe(p.opts.Name, err)
	p.tellDrift(before, drift)
	for _, d := range drift {
		// A drift left standing is printed when found, then hourly
		// (Drift.Tell), as it is alerted; also when putting another
		// record back failed.
		if d.Tell {
			name := d.FQDN + " " + d.Record.Type
			p.opts.Report(fmt.Sprintf("provider %s: drift on %s: %s", p.opts.Name, name, strings.TrimPrefix(d.String(), name+" ")))
		}
	}
	if err != nil {
		return err
	}
	p.state.LastVerify = time.Now()
	return nil
}

// named makes an error begin with "provider NAME: ", once: the
// publisher's errors begin with "NAME: " (one per line when several
// records failed), which becomes that.
func (p *Sink) named(err error) error {
	if err == nil {
		return nil
	}
	prefix := "provider " + p.opts.Name + ": "
	text := err.Error()
	if strings.HasPrefix(text, prefix) {
		return err
	}
	text = strings.ReplaceAll("\n"+text, "\n"+p.opts.Name+": ", "\n")
	text = strings.ReplaceAll(text, "\n", "\n"+prefix)[1:]
	return namedError{msg: text, err: err}
}

// namedError is an error told under the provider's name; it unwraps to
// the publisher's error (Classify, RetryAfter and errors.Is see it).
type namedError struct {
	msg string
	err error
}

func (e namedError) Error() string { return e.msg }
func (e namedError) Unwrap() error { return e.err }

// Snapshot is the sink's part of the state file.
func (p *Sink) Snapshot() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.state
	s.Published = maps.Clone(s.Published)
	return s
}

// TrySnapshot is Snapshot, or false while a call holds the sink (the
// state file is then written again once it returns).
func (p *Sink) TrySnapshot() (State, bool) {
	if !p.mu.TryLock() {
		return State{}, false
	}
	defer p.mu.Unlock()
	s := p.state
	s.Published = maps.Clone(s.Published)
	return s, true
}

// wantedAddrs is what every service serves now, as the providers take it.
func wantedAddrs(v publish.Values) map[string][]netip.Addr {
	out := map[string][]netip.Addr{}
	for svc, addrs := range v.Active {
		out[svc] = append(append([]netip.Addr{}, addrs.IPv4...), addrs.IPv6...)
	}
	return out
}

// only keeps the services the provider's records carry.
func (p *Sink) only(want map[string][]netip.Addr) map[string][]netip.Addr {
	out := map[string][]netip.Addr{}
	for _, svc := range p.opts.Services {
		out[svc] = want[svc]
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
