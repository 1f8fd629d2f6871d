package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// classify turns a failed call into an *apiError that knows its failure.
// r is what the transport recorded about the call's last HTTP request.
func (p *Publisher) classify(ctx context.Context, op, record string, r response, err error) error {
	if p.cfg.Kind == RFC2136 {
		return p.classifyDNS(op, record, err)
	}
	e := &apiError{provider: p.cfg.Name, op: op, status: httpStatus(r, p.cfg.Timeout), err: err, class: FailureRejected}
	if r.status == http.StatusTooManyRequests || r.status >= 500 {
		e.retryAfter = parseRetryAfter(r.retryAfter, p.clock())
	}
	lookup := p.isLookup(r)
	switch {
	case errors.Is(err, errUnexpectedHost):
	case r.timedOut || r.status == 0:
		e.class = FailureTransient
	case r.status == http.StatusRequestTimeout || r.status == http.StatusTooManyRequests || r.status >= 500:
		e.class = FailureTransient
	case r.status == http.StatusUnauthorized, r.status == http.StatusForbidden && lookup:
		p.refused(e, r)
	case r.status == http.StatusForbidden:
		p.diagnose(ctx, e, r)
	case p.cfg.Kind == Cloudflare && r.status == http.StatusOK && lookup && cfAuthError(r):
		p.refused(e, r)
	case p.cfg.Kind == Cloudflare && r.status == http.StatusOK && lookup && len(r.codes) > 0:
		// Another error in a 200 answer: the library's message says it.
	case p.cfg.Kind == Cloudflare && r.status == http.StatusNotFound && r.hasCode(7003),
		p.cfg.Kind == Gandi && r.status == http.StatusNotFound && lookup,
		p.cfg.Kind == Cloudflare && r.status == http.StatusOK && lookup:
		// Cloudflare: an unknown zone id (the zone went since it was
		// looked up), or a lookup that found no zone ("expected 1
		// zone, got 0"). Gandi: the domain lookup answered 404.
		p.missing(e)
	}
	if e.class == FailureZoneMissing {
		p.api = p.fresh() // look the zone up again next time
	}
	return e
}

// isLookup reports whether r is the library's zone lookup: Cloudflare's
// GET /zones?name=, Gandi's GET /domains/{fqdn}.
func (p *Publisher) isLookup(r response) bool {
	if r.method != http.MethodGet {
		return false
	}
	if p.cfg.Kind == Gandi {
		return r.path == "/domains/"+strings.TrimSuffix(p.cfg.Zone, ".")
	}
	return r.path == "/zones"
}

func (p *Publisher) refused(e *apiError, r response) {
	e.class = FailureCredentials
	how := fmt.Sprintf("HTTP %d", r.status)
	if r.status == http.StatusOK && len(r.codes) > 0 {
		how = fmt.Sprintf("HTTP 200 with error %d", r.codes[0])
	}
	e.cause = fmt.Sprintf("%s was refused (%s): it is wrong, expired or revoked", p.cfg.credential(), how)
}

// cfAuthCodes are Cloudflare's error codes for a token it does not
// accept: 1000 "Invalid API Token", 6003/6111 a malformed Authorization
// header, 9103/9106/9109 an unknown, missing or invalid key or token,
// 10000/10001 "Authentication error".
var cfAuthCodes = []int{1000, 6003, 6111, 9103, 9106, 9109, 10000, 10001}

// cfAuthError reports whether a Cloudflare answer carries one of
// cfAuthCodes.
func cfAuthError(r response) bool {
	for _, c := range cfAuthCodes {
		if r.hasCode(c) {
			return true
		}
	}
	return false
}

func (p *Publisher) missing(e *apiError) {
	e.class = FailureZoneMissing
	if p.cfg.Kind == Gandi {
		e.cause = fmt.Sprintf("domain %s is not at Gandi LiveDNS (%s): it is not in the organisation, or %s is not allowed on it",
			p.cfg.Zone, p.rt.base(), p.cfg.credential())
		return
	}
	e.cause = fmt.Sprintf("zone %s is not at Cloudflare (%s): it is not in the account, or %s cannot see it (it needs Zone Read on this zone)",
		p.cfg.Zone, p.rt.base(), p.cfg.credential())
}

func (p *Publisher) forbidden(e *apiError, r response) {
	e.class = FailurePermission
	verb, grant := "edit", "DNS Edit"
	if r.method == http.MethodGet {
		verb, grant = "read", "DNS Read"
	}
	if p.cfg.Kind == Gandi {
		grant = "the permission to manage the domain's technical configuration (DNS records)"
	}
	e.cause = fmt.Sprintf("%s is valid but may not %s the records of zone %s (HTTP 403 on %s): give it %s for this zone",
		p.cfg.credential(), verb, p.cfg.Zone, r.method, grant)
}

// diagnose tells a token that lacks a permission from one that is refused
// outright, after a 403 on a request other than the zone lookup: it makes
// the lookup itself (Cloudflare GET /zones?name=, Gandi GET
// /domains/{fqdn}). If the token can see the zone, it lacks the
// permission the request needed; if the lookup is refused too, the token
// is; if the zone is not there, it is missing. When the lookup itself
// fails otherwise, the 403 is reported as a refused token.
func (p *Publisher) diagnose(ctx context.Context, e *apiError, r response) {
	switch p.lookupStatus(ctx) {
	case lookupFound:
		p.forbidden(e, r)
	case lookupMissing:
		p.missing(e)
	default:
		p.refused(e, r)
	}
}

// lookupResult is what a diagnostic zone lookup found.
type lookupResult int

const (
	lookupFailed  lookupResult = iota // no usable answer
	lookupFound                       // the token sees the zone
	lookupMissing                     // the token is accepted, the zone is not there for it
	lookupRefused                     // the token is refused
)

// lookupStatus makes the library's zone lookup itself, with the token.
func (p *Publisher) lookupStatus(ctx context.Context) lookupResult {
	zone := strings.TrimSuffix(p.cfg.Zone, ".")
	u := defaultBase(p.cfg.Kind) + "/zones?name=" + url.QueryEscape(zone)
	if p.cfg.Kind == Gandi {
		u = defaultBase(p.cfg.Kind) + "/domains/" + zone
	}
	req, err := http.NewRequestWithContext(withExchange(ctx, &exchange{}), http.MethodGet, u, nil)
	if err != nil {
		return lookupFailed
	}
	req.Header.Set("Authorization", "Bearer "+p.cfg.Token)
	req.Header.Set("Accept", "application/json")
	resp, err := p.diag.Do(req)
	if err != nil {
		return lookupFailed
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return lookupRefused
	case p.cfg.Kind == Gandi && resp.StatusCode == http.StatusNotFound:
		return lookupMissing
	case p.cfg.Kind == Gandi && resp.StatusCode == http.StatusOK:
		return lookupFound
	case resp.StatusCode != http.StatusOK:
		return lookupFailed
	}
	var env struct {
		Result []struct {
			Name string `json:"name"`
		} `json:"result"`
	}
	if json.NewDecoder(io.LimitReader(resp.Body, errorBodyLimit)).Decode(&env) != nil {
		return lookupFailed
	}
	if len(env.Result) == 0 {
		return lookupMissing
	}
	return lookupFound
}
