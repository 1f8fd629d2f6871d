package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// classifyDNS turns a failed RFC2136 exchange into an *apiError. record
// names the record an UPDATE was for ("www.example.com. A"; empty for a
// query): a server's policy allows or refuses each record on its own,
// so a refusal names it.
func (p *Publisher) classifyDNS(op, record string, err error) error {
	e := &apiError{provider: p.cfg.Name, op: op, record: record, status: p.cfg.Server, err: err, class: FailureRejected}
	var de *dnsError
	if !errors.As(err, &de) {
		return e // a panic, or a record the library could not encode
	}
	srv, zone, key := p.cfg.Server, p.cfg.Zone, p.cfg.credential()
	what, let := "the update of zone "+zone, "let the key update the zone"
	if record != "" {
		what, let = fmt.Sprintf("the update of %s (%s) in zone %s", record, changeOf(op, record), zone), "let the key update "+record
	}
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
		if record == "" {
			let = "let the key update these records"
		}
		e.cause = fmt.Sprintf("%s did not accept %s signed with %s (NOTAUTH): %s "+
			"(Knot: an acl with action update; BIND: allow-update or update-policy), on the zone's primary", srv, what, key, let)
	case de.rcode == dns.RcodeNotAuth:
		e.class = FailureZoneMissing
		e.cause = fmt.Sprintf("%s is not authoritative for zone %s (NOTAUTH)", srv, zone)
	case de.rcode == dns.RcodeRefused && de.update:
		e.class = FailurePermission
		e.cause = fmt.Sprintf("%s refused %s signed with %s (REFUSED): %s "+
			"(BIND: allow-update or update-policy; Knot: an acl with action update)", srv, what, key, let)
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

// changeOf is what a change did, from its description: "adding
// 192.0.2.2" of "www.example.com. A: adding 192.0.2.2".
func changeOf(op, record string) string {
	return strings.TrimPrefix(op, record+": ")
}
