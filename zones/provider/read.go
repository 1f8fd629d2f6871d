package provider

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/libdns/libdns"
)

// liveValue is one value of an RRset as the provider holds it. raw keeps
// the provider's own text, which deletes must match exactly.
type liveValue struct {
	addr    netip.Addr // invalid when the text is not an address
	raw     libdns.RR
	proxied bool // Cloudflare: the record is proxied
}

// liveSet maps "name TYPE" (lower-case relative name) to the values held.
type liveSet map[string][]liveValue

// addrs returns the sorted valid addresses held for r.
func (l liveSet) addrs(r Record) []netip.Addr {
	var out []netip.Addr
	for _, v := range l[r.Name+" "+r.Type] {
		if v.addr.IsValid() {
			out = append(out, v.addr)
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}

// wrongTTL returns a TTL that a value held for r has other than r.TTL,
// or false when all have r.TTL. A proxied RRset (Cloudflare) has none:
// its TTL is automatic (reported as 1) and cannot be set.
func (l liveSet) wrongTTL(r Record) (time.Duration, bool) {
	if l.proxied(r) {
		return 0, false
	}
	for _, v := range l[r.Name+" "+r.Type] {
		if v.addr.IsValid() && v.raw.TTL != r.TTL {
			return v.raw.TTL, true
		}
	}
	return 0, false
}

// proxied reports whether any value held for r is proxied (Cloudflare).
func (l liveSet) proxied(r Record) bool {
	for _, v := range l[r.Name+" "+r.Type] {
		if v.proxied {
			return true
		}
	}
	return false
}

// read fetches the zone and keeps the A and AAAA values of the configured
// records. On Cloudflare it also learns which are proxied.
func (p *Publisher) read(ctx context.Context) (liveSet, error) {
	var recs []libdns.Record
	seen := &cfSeen{}
	if p.cfg.Kind == Cloudflare {
		ctx = withCFSeen(ctx, seen)
	}
	err := p.call(ctx, "reading the zone "+p.cfg.Zone, func(ctx context.Context) error {
		var err error
		recs, err = p.api.GetRecords(ctx, p.cfg.Zone)
		return err
	})
	if err != nil {
		return nil, err
	}
	wanted := map[string]bool{}
	for _, r := range p.cfg.Records {
		wanted[r.Name+" "+r.Type] = true
	}
	live := liveSet{}
	for _, rec := range recs {
		rr := rec.RR()
		key := strings.ToLower(rr.Name) + " " + strings.ToUpper(rr.Type)
		if !wanted[key] {
			continue
		}
		a := parseAddr(rr.Data)
		v := liveValue{addr: a, raw: rr}
		if a.IsValid() {
			v.proxied = seen.get(libdns.AbsoluteName(rr.Name, p.cfg.Zone), rr.Type, a)
		}
		live[key] = append(live[key], v)
	}
	return live, nil
}
