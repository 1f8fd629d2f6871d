package provider

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// Publish makes each record hold exactly its service's addresses in want
// (service -> addresses; an A record takes the IPv4 ones, AAAA the IPv6
// ones), with its configured TTL. It adds new values before removing old
// ones, then reads the zone back to verify, retrying with backoff (and
// Retry-After) within ctx. A record whose service has no address of its
// family is left unchanged and reported in the error (FailureNoAddress).
// A change the provider refuses for one record (an RFC 2136 policy that
// does not cover it, say) is reported naming the record, and the other
// records are still published. A refused credential or a missing zone
// stops it at once; Classify tells which.
func (p *Publisher) Publish(ctx context.Context, want map[string][]netip.Addr) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	ts, terr := p.targets(want)
	p.status.wanted(ts)
	err := p.retry(ctx, "publish", func(ctx context.Context) error { return p.sync(ctx, ts) })
	if err == nil {
		p.status.settled(ts)
	}
	err = errors.Join(err, terr)
	p.status.done(p.clock(), err)
	return err
}

// recordError is the failure of one record's change (or of its read-back
// check) within a sync; index is the record's in Config.Records. It
// reads as the error it carries.
type recordError struct {
	index int
	err   error
}

func (e *recordError) Error() string { return e.err.Error() }
func (e *recordError) Unwrap() error { return e.err }

// sync is one attempt: read the zone, change what differs, read it back.
// It is safe to repeat after any failure, because it starts from what the
// provider holds. A record whose change fails is left (its remaining
// steps are not made: a removal never follows a failed addition) and the
// next record is changed; only a failure every record would meet (see
// Publisher.stopsAll) stops it. After any change that was made, or may
// have been, the zone is read again, so the status shows what the provider
// holds (or, if that read fails, that it is not known).
func (p *Publisher) sync(ctx context.Context, ts []target) error {
	live, err := p.read(ctx)
	if err != nil {
		return err
	}
	p.status.saw(p.cfg, live, p.clock())
	var errs []error
	var touched, ok []target
	for _, t := range ts {
		proxied := live.proxied(t.rec)
		failed := false
		for _, s := range planSteps(p.inPlace(), t.want, t.rec.TTL, live[t.key()]) {
			err := p.apply(ctx, t, s, proxied)
			// A change refused for good was not made; one that failed
			// otherwise (no answer, 5xx) may have been.
			if (err == nil || Classify(err) == FailureTransient) && !slices.ContainsFunc(touched, func(x target) bool { return x.index == t.index }) {
				touched = append(touched, t)
			}
			if err != nil {
				errs, failed = append(errs, &recordError{index: t.index, err: err}), true
				break
			}
			p.log.Info("provider record changed", "change", p.describe(t.rec, s, proxied))
		}
		if !failed {
			ok = append(ok, t)
		}
		if failed && (p.stopsAll(errs[len(errs)-1]) || ctx.Err() != nil) {
			break
		}
	}
	if len(touched) == 0 {
		return errors.Join(errs...)
	}
	if live, err = p.read(ctx); err != nil {
		p.status.unknown(touched)
		return errors.Join(append(errs, err)...)
	}
	p.status.saw(p.cfg, live, p.clock())
	return errors.Join(append(errs, p.verify(ok, live))...)
}

// stopsAll reports whether a record's failure would be every record's:
// the credential was refused or the zone is not there.
func stopsAll(err error) bool {
	f := Classify(err)
	return f == FailureCredentials || f == FailureZoneMissing
}

// stopsAll is stopsAll, and a missing permission of an API token too: a
// token may edit all the zone's records or none. (An RFC 2136 server's
// policy allows each record on its own.)
func (p *Publisher) stopsAll(err error) bool {
	return stopsAll(err) || p.cfg.Kind != RFC2136 && Classify(err) == FailurePermission
}

// verify checks that every target holds exactly its wanted addresses,
// with its TTL.
func (p *Publisher) verify(ts []target, live liveSet) error {
	var errs []error
	for _, t := range ts {
		if got := live.addrs(t.rec); !slices.Equal(got, t.want) || len(live[t.key()]) != len(got) {
			errs = append(errs, &recordError{index: t.index, err: fmt.Errorf("%s: %s: read back %v, want %v: %w",
				p.cfg.Name, p.label(t.rec), rawValues(live[t.key()]), t.want, errMismatch)})
		} else if ttl, bad := live.wrongTTL(t.rec); bad {
			errs = append(errs, &recordError{index: t.index, err: fmt.Errorf("%s: %s: read back %v with TTL %d, want TTL %d: %w",
				p.cfg.Name, p.label(t.rec), rawValues(live[t.key()]), ttl/time.Second, t.rec.TTL/time.Second, errMismatch)})
		}
	}
	return errors.Join(errs...)
}

// errorOf is the part of err, a sync's error, that is about the record at
// index: its own failure, or a failure about no one record (the zone
// could not be read), as text; "" when its change went through.
func errorOf(err error, index int) string {
	if err == nil {
		return ""
	}
	var own []error
	general := false
	var visit func(error)
	visit = func(e error) {
		switch x := e.(type) {
		case *recordError:
			if x.index == index {
				own = append(own, x.err)
			}
		case interface{ Unwrap() []error }:
			for _, c := range x.Unwrap() {
				visit(c)
			}
		case *apiError:
			general = true
		case interface{ Unwrap() error }:
			visit(x.Unwrap())
		default:
			general = true
		}
	}
	visit(err)
	switch {
	case len(own) > 0:
		return errors.Join(own...).Error()
	case general:
		return err.Error()
	}
	return ""
}

func rawValues(vs []liveValue) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.raw.Data
	}
	return out
}
