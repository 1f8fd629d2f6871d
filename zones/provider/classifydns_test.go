package provider

import (
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// What each DNS answer to a query or an UPDATE means for the operator.
func TestClassifyDNSAnswers(t *testing.T) {
	cfg := validRFC2136()
	cfg.Key.Source = `"zonerw" (file /etc/zonerw/zonerw.key)`
	p, err := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	const key = `the TSIG key "zonerw" (file /etc/zonerw/zonerw.key)`
	cases := []struct {
		name string
		err  *dnsError
		want Failure
		text string
	}{
		{"bad secret", &dnsError{rcode: dns.RcodeNotAuth, tsig: dns.RcodeBadSig}, FailureCredentials,
			"bind-example: " + key + " was refused by 127.0.0.1:5353 (BADSIG): the server's key of this name has another secret or algorithm"},
		{"unknown key", &dnsError{update: true, rcode: dns.RcodeNotAuth, tsig: dns.RcodeBadKey}, FailureCredentials,
			"bind-example: " + key + " was refused by 127.0.0.1:5353 (BADKEY): the server has no key of this name (and algorithm)"},
		{"clock", &dnsError{rcode: dns.RcodeNotAuth, tsig: dns.RcodeBadTime}, FailureCredentials,
			"bind-example: " + key + " was refused by 127.0.0.1:5353 (BADTIME): this host's clock and the server's differ by more than 5 minutes"},
		{"answer does not verify", &dnsError{rcode: dns.RcodeSuccess, badSig: dns.ErrSig}, FailureCredentials,
			"bind-example: the answer of 127.0.0.1:5353 did not verify with " + key + " (dns: bad signature): the server signs with another secret"},
		{"update refused", &dnsError{update: true, rcode: dns.RcodeRefused}, FailurePermission,
			"bind-example: 127.0.0.1:5353 refused the update of zone example.com. signed with " + key +
				" (REFUSED): let the key update the zone (BIND: allow-update or update-policy; Knot: an acl with action update)"},
		{"query refused", &dnsError{rcode: dns.RcodeRefused}, FailureZoneMissing,
			"bind-example: 127.0.0.1:5353 refused a query for zone example.com. (REFUSED): it does not serve the zone, or does not let " + key + " query it"},
		{"update not allowed (knot)", &dnsError{update: true, rcode: dns.RcodeNotAuth}, FailurePermission,
			"bind-example: 127.0.0.1:5353 did not accept the update of zone example.com. signed with " + key +
				" (NOTAUTH): let the key update these records (Knot: an acl with action update; BIND: allow-update or update-policy), on the zone's primary"},
		{"not authoritative", &dnsError{rcode: dns.RcodeSuccess, noAA: true}, FailureZoneMissing,
			"bind-example: 127.0.0.1:5353 is not authoritative for zone example.com. (its answer lacks the AA flag): point server at the zone's primary"},
		{"servfail", &dnsError{update: true, rcode: dns.RcodeServerFailure}, FailureTransient,
			"bind-example: www A: adding 192.0.2.2: 127.0.0.1:5353: SERVFAIL"},
		{"no answer", &dnsError{rcode: -1, timeout: 15 * time.Second, err: errors.New("i/o timeout")}, FailureTransient,
			"bind-example: www A: adding 192.0.2.2: 127.0.0.1:5353: no answer within 15s"},
		{"no dynamic updates", &dnsError{update: true, rcode: dns.RcodeNotImplemented}, FailureRejected,
			"bind-example: 127.0.0.1:5353 does not take dynamic updates (NOTIMP)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := p.classifyDNS("www A: adding 192.0.2.2", "", tc.err)
			if got := Classify(err); got != tc.want {
				t.Errorf("Classify = %s, want %s", got, tc.want)
			}
			if err.Error() != tc.text {
				t.Errorf("text\n got %s\nwant %s", err, tc.text)
			}
		})
	}
}
