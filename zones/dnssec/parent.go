package dnssec

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/miekg/dns"
)

// QueryParents is a DSLookup asking each of addrs (ip:port: the parent
// zone's nameservers, or a validating resolver) for the zone's DS in
// turn; the first answer counts. timeout bounds each question.
func QueryParents(addrs []string, timeout time.Duration) DSLookup {
	return func(ctx context.Context, zone string) ([]*dns.DS, time.Duration, error) {
		var errs []error
		for _, a := range addrs {
			set, ttl, err := queryDS(ctx, a, zone, timeout)
			if err == nil {
				return set, ttl, nil
			}
			errs = append(errs, err)
		}
		return nil, 0, errors.Join(errs...)
	}
}

func queryDS(ctx context.Context, addr, zone string, timeout time.Duration) ([]*dns.DS, time.Duration, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(zone), dns.TypeDS)
	m.RecursionDesired = true
	m.SetEdns0(1232, true)
	c := &dns.Client{Timeout: timeout}
	qctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r, _, err := c.ExchangeContext(qctx, m, addr)
	if err == nil && r.Truncated {
		c.Net = "tcp"
		r, _, err = c.ExchangeContext(qctx, m, addr)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("DS of %s from %s: %w", zone, addr, err)
	}
	if r.Rcode != dns.RcodeSuccess {
		return nil, 0, fmt.Errorf("DS of %s from %s: %s", zone, addr, dns.RcodeToString[r.Rcode])
	}
	var out []*dns.DS
	var ttl time.Duration
	for _, rr := range r.Answer {
		if ds, ok := rr.(*dns.DS); ok {
			out = append(out, ds)
			ttl = max(ttl, time.Duration(ds.Hdr.Ttl)*time.Second)
		}
	}
	return out, ttl, nil
}
