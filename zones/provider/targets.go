package provider

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/libdns/libdns"
)

// target is one configured record and the addresses it must hold.
type target struct {
	index int // in Config.Records
	rec   Record
	want  []netip.Addr // sorted, unique, of the record's address family
}

func (t target) key() string { return t.rec.Name + " " + t.rec.Type }

// targets picks, for every record, its service's addresses of the record's
// family. A record whose service has none is left out with an error: the
// publisher never empties a record.
func (p *Publisher) targets(want map[string][]netip.Addr) ([]target, error) {
	var ts []target
	var errs []error
	for i, r := range p.cfg.Records {
		addrs := family(want[r.Service], r.Type == "AAAA")
		if len(addrs) == 0 {
			errs = append(errs, &noAddressError{fmt.Sprintf("%s: %s: service %q has no %s address to publish; the record is left as it is",
				p.cfg.Name, p.label(r), r.Service, familyName(r.Type))})
			continue
		}
		ts = append(ts, target{index: i, rec: r, want: addrs})
	}
	return ts, errors.Join(errs...)
}

// family returns the sorted unique IPv6 (v6) or IPv4 addresses of addrs.
func family(addrs []netip.Addr, v6 bool) []netip.Addr {
	var out []netip.Addr
	for _, a := range addrs {
		a = a.Unmap()
		if a.IsValid() && a.Is6() == v6 {
			out = append(out, a.WithZone(""))
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}

func familyName(typ string) string {
	if typ == "AAAA" {
		return "IPv6"
	}
	return "IPv4"
}

// label names a record in messages: "www.example.com. A".
func (p *Publisher) label(r Record) string {
	return p.fqdn(r) + " " + r.Type
}

// fqdn is a record's fully qualified name: "www.example.com.".
func (p *Publisher) fqdn(r Record) string {
	return libdns.AbsoluteName(r.Name, p.cfg.Zone)
}
