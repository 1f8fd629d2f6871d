package provider

import (
	"context"
	"net/netip"
	"slices"
	"strings"

	"github.com/libdns/libdns"
)

// liveValue is one value of an RRset as the provider holds it. raw keeps
// the provider's own text, which deletes must match exactly.
type liveValue struct {
	addr netip.Addr // invalid when the text is not an address
	raw  libdns.RR
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

// read fetches the zone and keeps the A and AAAA values of the configured
// records.
func (p *Publisher) read(ctx context.Context) (liveSet, error) {
	var recs []libdns.Record
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
		a, err := netip.ParseAddr(strings.TrimSpace(rr.Data))
		if err != nil {
			a = netip.Addr{}
		}
		live[key] = append(live[key], liveValue{addr: a.Unmap(), raw: rr})
	}
	return live, nil
}
