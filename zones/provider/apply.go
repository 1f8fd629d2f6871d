package provider

import (
	"context"
	"fmt"

	"github.com/libdns/libdns"
)

// inPlace reports whether the provider's SetRecords changes a single
// record in place. Only Cloudflare's does; Gandi's appends.
func (p *Publisher) inPlace() bool { return p.cfg.Kind == Cloudflare }

// apply makes one change through the library.
func (p *Publisher) apply(ctx context.Context, t target, s step) error {
	zone, recs := p.cfg.Zone, func(r libdns.Record) []libdns.Record { return []libdns.Record{r} }
	return p.call(ctx, p.describe(t.rec, s), func(ctx context.Context) error {
		var err error
		switch s.kind {
		case stepReplace:
			_, err = p.api.SetRecords(ctx, zone, recs(p.address(t.rec, s)))
		case stepAdd:
			_, err = p.api.AppendRecords(ctx, zone, recs(p.address(t.rec, s)))
		case stepRemove:
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
func (p *Publisher) describe(r Record, s step) string {
	switch s.kind {
	case stepReplace:
		return fmt.Sprintf("%s: changing %s to %s in place", p.label(r), s.old.raw.Data, s.addr)
	case stepAdd:
		return fmt.Sprintf("%s: adding %s", p.label(r), s.addr)
	default:
		return fmt.Sprintf("%s: removing %s", p.label(r), s.old.raw.Data)
	}
}

// calls says which HTTP requests a step makes, for Plan.
func (p *Publisher) calls(r Record, s step) string {
	if p.cfg.Kind == Gandi {
		path := fmt.Sprintf("records/%s/%s", r.Name, r.Type)
		if s.kind == stepRemove {
			return fmt.Sprintf("GET %s, then PUT it without the value (DELETE if it were the last)", path)
		}
		return fmt.Sprintf("GET %s, then PUT it with the value added, ttl %s", path, secs(r.TTL))
	}
	switch s.kind {
	case stepReplace:
		return fmt.Sprintf("GET dns_records by name and type, then PATCH the record (keeps proxied), ttl %s", secs(r.TTL))
	case stepAdd:
		return fmt.Sprintf("POST dns_records (unproxied), ttl %s", secs(r.TTL))
	default:
		return "GET dns_records by name, type and content, then DELETE the record"
	}
}
