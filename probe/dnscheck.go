package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// DNS checks a nameserver by asking it one question: it is up when it
// answers NOERROR with at least one record of the asked type for the
// asked name. The question goes over UDP, and again over TCP when the
// answer comes back truncated.
type DNS struct {
	// Port is the port to ask, 1-65535 (53).
	Port uint16
	// Name is the name asked for ("www.example.com"; a final dot is added).
	Name string
	// Type is the record type asked for (dns.TypeA, ...).
	Type uint16
	// Recurse sets the RD bit, for a resolver; an authoritative server is
	// asked without it.
	Recurse bool
	// Source, if valid, is the local address the probe binds.
	Source netip.Addr
}

// Validate checks the settings at config time; the error is a *FieldError.
func (d *DNS) Validate() error {
	if d.Port == 0 {
		return &FieldError{Field: "Port", Err: errors.New("port 0 is not in 1-65535")}
	}
	if _, ok := dns.IsDomainName(d.Name); d.Name == "" || !ok {
		return &FieldError{Field: "Name", Err: fmt.Errorf("%q is not a domain name", d.Name)}
	}
	if _, ok := dns.TypeToString[d.Type]; !ok || d.Type == dns.TypeNone || d.Type == dns.TypeANY ||
		d.Type == dns.TypeAXFR || d.Type == dns.TypeIXFR {
		return &FieldError{Field: "Type", Err: fmt.Errorf("%s cannot be asked for", dns.Type(d.Type))}
	}
	return nil
}

// Probe runs the check against addr. See Prober for the contract.
func (d *DNS) Probe(ctx context.Context, addr netip.Addr) Result {
	start := time.Now()
	done := func(ok bool, reason string) Result {
		return Result{OK: ok, Latency: time.Since(start), Reason: reason}
	}
	if err := d.Validate(); err != nil {
		return done(false, "invalid probe: "+err.Error())
	}
	if err := checkAddrs(d.Source, addr); err != nil {
		return done(false, "invalid probe: "+err.Error())
	}
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(d.Name), d.Type)
	q.RecursionDesired = d.Recurse
	server := netip.AddrPortFrom(addr.Unmap(), d.Port).String()
	resp, err := d.exchange(ctx, "udp", q, server)
	if err == nil && resp.Truncated {
		resp, err = d.exchange(ctx, "tcp", q, server)
	}
	if err != nil {
		return done(false, "DNS: "+dnsFailure(ctx, start, err))
	}
	ok, reason := d.judge(resp)
	return done(ok, reason)
}

// dnsFailure is failureReason without the addresses of a socket error
// ("read: connection refused": nobody listens on the port).
func dnsFailure(ctx context.Context, start time.Time, err error) string {
	var opErr *net.OpError
	if ctx.Err() == nil && errors.As(err, &opErr) && !opErr.Timeout() {
		return opErr.Op + ": " + innermost(opErr.Err).Error()
	}
	return failureReason(ctx, start, err)
}

func (d *DNS) exchange(ctx context.Context, network string, q *dns.Msg, server string) (*dns.Msg, error) {
	c := &dns.Client{Net: network, Dialer: dialer(d.Source, network)}
	resp, _, err := c.ExchangeContext(ctx, q, server)
	return resp, err
}

// judge decides an answer: NOERROR with a record of the asked type.
func (d *DNS) judge(resp *dns.Msg) (bool, string) {
	qtype := dns.TypeToString[d.Type]
	name := dns.Fqdn(d.Name)
	if resp.Rcode != dns.RcodeSuccess {
		return false, fmt.Sprintf("DNS %s for %s %s", dns.RcodeToString[resp.Rcode], name, qtype)
	}
	owners := cnameChain(resp.Answer, name)
	var found []string
	for _, rr := range resp.Answer {
		if rr.Header().Rrtype == d.Type && owners[dns.CanonicalName(rr.Header().Name)] {
			found = append(found, strings.TrimPrefix(rr.String(), rr.Header().String()))
		}
	}
	if len(found) == 0 {
		return false, fmt.Sprintf("DNS NOERROR but no %s record for %s", qtype, name)
	}
	reason := fmt.Sprintf("DNS NOERROR, %s %s %s", name, qtype, printable(found[0]))
	if len(found) > 1 {
		reason += fmt.Sprintf(" (+%d more)", len(found)-1)
	}
	return true, reason
}

// cnameChain is the asked name and every name the answer's CNAME records
// lead to from it, in canonical form: where a record of the asked type
// may be found.
func cnameChain(answer []dns.RR, name string) map[string]bool {
	owners := map[string]bool{dns.CanonicalName(name): true}
	for range answer {
		grew := false
		for _, rr := range answer {
			c, ok := rr.(*dns.CNAME)
			if ok && owners[dns.CanonicalName(c.Hdr.Name)] && !owners[dns.CanonicalName(c.Target)] {
				owners[dns.CanonicalName(c.Target)] = true
				grew = true
			}
		}
		if !grew {
			break
		}
	}
	return owners
}
