package provider

import (
	"context"
	"fmt"

	"github.com/libdns/libdns"
)

// inPlace reports whether the provider's SetRecords changes a single
// record in place. Only Cloudflare's does; Gandi's appends, and RFC2136
// changes are an addition and a removal.
func (p *Publisher) inPlace() bool { return p.cfg.Kind == Cloudflare }

// apply makes one change through the library. proxied says that the
// RRset's records are proxied (Cloudflare), so an added value must be
// too.
func (p *Publisher) apply(ctx context.Context, t target, s step, proxied bool) error {
	zone, recs := p.cfg.Zone, func(r libdns.Record) []libdns.Record { return []libdns.Record{r} }
	if proxied && s.kind == stepAdd {
		ctx = withCreateProxied(ctx)
	}
	return p.callRecord(ctx, p.label(t.rec), p.describe(t.rec, s, proxied), func(ctx context.Context) error {
		var err error
		switch {
		case s.kind == stepReplace:
			_, err = p.api.SetRecords(ctx, zone, recs(p.address(t.rec, s)))
		case s.kind == stepTTL && p.cfg.Kind == RFC2136:
			// The RRset replaced by the same values with the TTL, in
			// one atomic UPDATE.
			var all []libdns.Record
			for _, a := range t.want {
				all = append(all, libdns.Address{Name: t.rec.Name, TTL: t.rec.TTL, IP: a})
			}
			_, err = p.api.SetRecords(ctx, zone, all)
		case s.kind == stepAdd || s.kind == stepTTL:
			_, err = p.api.AppendRecords(ctx, zone, recs(p.address(t.rec, s)))
		case s.kind == stepRemove:
			// The provider's own text and name, so the delete matches exactly.
			_, err = p.api.DeleteRecords(ctx, zone, recs(libdns.RR{Name: s.old.raw.Name, Type: t.rec.Type, Data: s.old.raw.Data}))
		}
		return err
	})
}

func (p *Publisher) address(r Record, s step) libdns.Address {
	return libdns.Address{Name: r.Name, TTL: r.TTL, IP: s.addr}
}

// describe says what a step does, for errors and logs.
func (p *Publisher) describe(r Record, s step, proxied bool) string {
	switch {
	case s.kind == stepReplace && s.old.addr == s.addr:
		return fmt.Sprintf("%s: setting the TTL of %s to %s in place", p.label(r), s.old.raw.Data, secs(r.TTL))
	case s.kind == stepReplace:
		return fmt.Sprintf("%s: changing %s to %s in place", p.label(r), s.old.raw.Data, s.addr)
	case s.kind == stepTTL:
		return fmt.Sprintf("%s: setting the TTL to %s", p.label(r), secs(r.TTL))
	case s.kind == stepAdd && proxied:
		return fmt.Sprintf("%s: adding %s, proxied like the records beside it", p.label(r), s.addr)
	case s.kind == stepAdd:
		return fmt.Sprintf("%s: adding %s", p.label(r), s.addr)
	}
	return fmt.Sprintf("%s: removing %s", p.label(r), s.old.raw.Data)
}

// calls says which requests a step makes, for Plan.
func (p *Publisher) calls(r Record, s step, proxied bool) string {
	switch p.cfg.Kind {
	case Gandi:
		path := fmt.Sprintf("records/%s/%s", r.Name, r.Type)
		switch s.kind {
		case stepRemove:
			return fmt.Sprintf("GET %s, then PUT it without the value (DELETE if it were the last)", path)
		case stepTTL:
			return fmt.Sprintf("GET %s, then PUT it with ttl %s", path, secs(r.TTL))
		}
		return fmt.Sprintf("GET %s, then PUT it with the value added, ttl %s", path, secs(r.TTL))
	case RFC2136:
		switch s.kind {
		case stepRemove:
			return fmt.Sprintf("UPDATE to %s deleting this one value, signed", p.cfg.Server)
		case stepTTL:
			return fmt.Sprintf("UPDATE to %s replacing the RRset with the same values, ttl %s, in one signed message", p.cfg.Server, secs(r.TTL))
		}
		return fmt.Sprintf("UPDATE to %s adding the value, ttl %s, signed", p.cfg.Server, secs(r.TTL))
	}
	switch {
	case s.kind == stepReplace:
		return fmt.Sprintf("GET dns_records by name and type, then PATCH the record (keeps proxied), ttl %s", secs(r.TTL))
	case s.kind == stepAdd && proxied:
		return "POST dns_records with proxied true (ttl automatic)"
	case s.kind == stepAdd:
		return fmt.Sprintf("POST dns_records (unproxied), ttl %s", secs(r.TTL))
	}
	return "GET dns_records by name, type and content, then DELETE the record"
}
