package provider

import (
	"errors"
	"fmt"

	"github.com/miekg/dns"
)

// classifyDNS turns a failed RFC2136 exchange into an *apiError.
func (p *Publisher) classifyDNS(op string, err error) error {
	e := &apiError{provider: p.cfg.Name, op: op, status: p.cfg.Server, err: err, class: FailureRejected}
	var de *dnsError
	if !errors.As(err, &de) {
		return e // a panic, or a record the library could not encode
	}
	srv, zone, key := p.cfg.Server, p.cfg.Zone, p.cfg.credential()
	rcode := dns.RcodeToString[de.rcode]
	switch {
	case de.timeout > 0 || de.rcode < 0 || de.rcode == dns.RcodeServerFailure:
		e.class = FailureTransient
	case de.tsig != 0:
		e.class = FailureCredentials
		e.cause = fmt.Sprintf("%s was refused by %s (%s): %s", key, srv, tsigName(de.tsig), tsigAdvice(de.tsig))
	case de.badSig != nil:
		e.class = FailureCredentials
		e.cause = fmt.Sprintf("the answer of %s did not verify with %s (%v): the server signs with another secret", srv, key, de.badSig)
	case de.noAA:
		e.class = FailureZoneMissing
		e.cause = fmt.Sprintf("%s is not authoritative for zone %s (its answer lacks the AA flag): point server at the zone's primary", srv, zone)
	case de.rcode == dns.RcodeNotAuth && de.update:
		// The zone answers signed queries (updateError checked), so the
		// key is known: Knot answers NOTAUTH to an update its acl does
		// not allow; a secondary that does not forward updates may too.
		e.class = FailurePermission
		e.cause = fmt.Sprintf("%s did not accept the update of zone %s signed with %s (NOTAUTH): let the key update these records "+
			"(Knot: an acl with action update; BIND: allow-update or update-policy), on the zone's primary", srv, zone, key)
	case de.rcode == dns.RcodeNotAuth:
		e.class = FailureZoneMissing
		e.cause = fmt.Sprintf("%s is not authoritative for zone %s (NOTAUTH)", srv, zone)
	case de.rcode == dns.RcodeRefused && de.update:
		e.class = FailurePermission
		e.cause = fmt.Sprintf("%s refused the update of zone %s signed with %s (REFUSED): let the key update the zone "+
			"(BIND: allow-update or update-policy; Knot: an acl with action update)", srv, zone, key)
	case de.rcode == dns.RcodeRefused:
		e.class = FailureZoneMissing
		e.cause = fmt.Sprintf("%s refused a query for zone %s (REFUSED): it does not serve the zone, or does not let %s query it", srv, zone, key)
	case de.rcode == dns.RcodeNotImplemented || de.rcode == dns.RcodeFormatError:
		e.cause = fmt.Sprintf("%s does not take dynamic updates (%s)", srv, rcode)
	}
	return e
}

// tsigAdvice says what a TSIG error (RFC 8945 §5.2) means for the
// operator.
func tsigAdvice(code uint16) string {
	switch code {
	case dns.RcodeBadKey:
		return "the server has no key of this name (and algorithm)"
	case dns.RcodeBadSig:
		return "the server's key of this name has another secret or algorithm"
	case dns.RcodeBadTime:
		return "this host's clock and the server's differ by more than 5 minutes"
	}
	return "the server does not accept the signature"
}
