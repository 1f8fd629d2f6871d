package provider

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/libdns/libdns"
	"github.com/libdns/rfc2136"
	"github.com/miekg/dns"
)

// dnsUpdater is the zoneAPI of an RFC2136 provider. Changes are the
// UPDATE messages of libdns/rfc2136 (AppendRecords adds a value,
// DeleteRecords removes one exact value, SetRecords puts a TTL back),
// one message per value and record, each its own atomic
// transaction at the server. Reads are TSIG-signed queries for the
// configured names only, sent to the same server: no zone transfer (and
// no transfer permission) is needed, and the cost does not grow with the
// zone. Every exchange is bounded by the configured timeout.
type dnsUpdater struct {
	lib     *rfc2136.Provider
	server  string
	keyName string // fully qualified
	keyAlg  string // fully qualified
	secret  string
	timeout time.Duration
	records []Record
}

var _ zoneAPI = (*dnsUpdater)(nil)

func newDNSUpdater(cfg Config) *dnsUpdater {
	k := cfg.Key
	u := &dnsUpdater{server: cfg.Server, keyName: dns.CanonicalName(k.Name), keyAlg: dns.CanonicalName(k.Algorithm),
		secret: k.Secret, timeout: cfg.Timeout, records: cfg.Records}
	u.lib = &rfc2136.Provider{KeyName: u.keyName, KeyAlg: u.keyAlg, Key: k.Secret, Server: cfg.Server}
	return u
}

// dnsError is a failed DNS exchange: what the server answered, or that
// it did not.
type dnsError struct {
	update  bool          // the exchange was an UPDATE (else a query)
	rcode   int           // -1: no usable answer
	tsig    uint16        // the TSIG error the server put in its answer
	badSig  error         // the answer's own signature did not verify
	noAA    bool          // the answer is not authoritative
	timeout time.Duration // set when no answer came in time
	err     error         // the underlying error, if any
}

func (e *dnsError) Error() string {
	switch {
	case e.timeout > 0:
		return fmt.Sprintf("no answer within %v", e.timeout)
	case e.rcode < 0:
		return e.err.Error()
	case e.tsig != 0:
		return fmt.Sprintf("%s, TSIG error %s", dns.RcodeToString[e.rcode], tsigName(e.tsig))
	case e.badSig != nil:
		return fmt.Sprintf("%s, and the answer's signature did not verify: %v", dns.RcodeToString[e.rcode], e.badSig)
	case e.noAA:
		return dns.RcodeToString[e.rcode] + " without the authoritative flag"
	}
	return dns.RcodeToString[e.rcode]
}

func (e *dnsError) Unwrap() error { return e.err }

func tsigName(code uint16) string {
	if s, ok := dns.RcodeToString[int(code)]; ok {
		return s
	}
	return strconv.Itoa(int(code))
}

// GetRecords queries each configured record's name and type.
func (u *dnsUpdater) GetRecords(ctx context.Context, zone string) ([]libdns.Record, error) {
	var out []libdns.Record
	for _, r := range u.records {
		rrs, err := u.query(ctx, libdns.AbsoluteName(r.Name, zone), dns.StringToType[r.Type])
		if err != nil {
			return nil, err
		}
		for _, rr := range rrs {
			out = append(out, libdns.RR{Name: r.Name, TTL: time.Duration(rr.Header().Ttl) * time.Second,
				Type: r.Type, Data: strings.TrimPrefix(rr.String(), rr.Header().String())})
		}
	}
	return out, nil
}

// query asks the server for name/qtype, signed, over TCP, and returns
// the answer's records of that owner and type.
func (u *dnsUpdater) query(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	ctx, cancel := context.WithTimeout(ctx, u.timeout)
	defer cancel()
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = false
	m.SetTsig(u.keyName, u.keyAlg, 300, time.Now().Unix())
	c := &dns.Client{Net: "tcp", TsigSecret: map[string]string{u.keyName: u.secret}}
	r, _, err := c.ExchangeContext(ctx, m, u.server)
	if derr := u.answerError(ctx, r, err); derr != nil {
		return nil, derr
	}
	var out []dns.RR
	for _, rr := range r.Answer {
		if h := rr.Header(); h.Rrtype == qtype && strings.EqualFold(h.Name, dns.Fqdn(name)) {
			out = append(out, rr)
		}
	}
	return out, nil
}

// answerError says what is wrong with the answer to a query, or nil if
// it is a good, signed, authoritative one (NOERROR or NXDOMAIN).
func (u *dnsUpdater) answerError(ctx context.Context, r *dns.Msg, err error) *dnsError {
	if r == nil {
		if err == nil {
			err = errors.New("no answer")
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return &dnsError{rcode: -1, timeout: u.timeout, err: err}
		}
		return &dnsError{rcode: -1, err: err}
	}
	e := &dnsError{rcode: r.Rcode}
	if t := r.IsTsig(); t != nil && t.Error != 0 {
		e.tsig = t.Error
		return e
	}
	if err != nil && !errors.Is(err, dns.ErrAuth) {
		e.badSig = err
		return e
	}
	switch {
	case r.Rcode != dns.RcodeSuccess && r.Rcode != dns.RcodeNameError:
		return e
	case !r.Authoritative:
		e.noAA = true
		return e
	case r.IsTsig() == nil:
		e.badSig = errors.New("the answer to a signed query was not signed")
		return e
	}
	return nil
}

// AppendRecords adds values (one UPDATE).
func (u *dnsUpdater) AppendRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	ctx, cancel := context.WithTimeout(ctx, u.timeout)
	defer cancel()
	out, err := u.lib.AppendRecords(ctx, zone, recs)
	return out, u.updateError(ctx, zone, err)
}

// DeleteRecords removes exact values (one UPDATE).
func (u *dnsUpdater) DeleteRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	ctx, cancel := context.WithTimeout(ctx, u.timeout)
	defer cancel()
	out, err := u.lib.DeleteRecords(ctx, zone, recs)
	return out, u.updateError(ctx, zone, err)
}

// SetRecords replaces the RRsets in one UPDATE (delete the RRset, add the
// records: atomic at the server). It sets a TTL changed by hand back;
// address changes are additions and removals.
func (u *dnsUpdater) SetRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	ctx, cancel := context.WithTimeout(ctx, u.timeout)
	defer cancel()
	out, err := u.lib.SetRecords(ctx, zone, recs)
	return out, u.updateError(ctx, zone, err)
}

// libRcode matches the error libdns/rfc2136 makes of an rcode.
var libRcode = regexp.MustCompile(`dns response error code "[A-Za-z]*" \((\d+)\)`)

// updateError turns what libdns/rfc2136 returned into a *dnsError. The
// library reports a NOTAUTH answer (a refused key, or a zone the server
// is not primary for) as miekg/dns's "bad authentication" without the
// TSIG error that tells them apart; a signed query of the zone's SOA
// then finds out which it is.
func (u *dnsUpdater) updateError(ctx context.Context, zone string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, dns.ErrAuth):
		if _, qerr := u.query(ctx, zone, dns.TypeSOA); qerr != nil {
			return qerr
		}
		return &dnsError{update: true, rcode: dns.RcodeNotAuth, err: err}
	case errors.Is(err, dns.ErrSig), errors.Is(err, dns.ErrTime), errors.Is(err, dns.ErrKeyAlg), errors.Is(err, dns.ErrSecret):
		return &dnsError{update: true, rcode: dns.RcodeSuccess, badSig: err}
	}
	if m := libRcode.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &dnsError{update: true, rcode: n, err: err}
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &dnsError{update: true, rcode: -1, timeout: u.timeout, err: err}
	}
	return &dnsError{update: true, rcode: -1, err: err}
}

// parseAddr reads an A or AAAA value as the server wrote it.
func parseAddr(s string) netip.Addr {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}
