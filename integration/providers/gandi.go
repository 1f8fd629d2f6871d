package providers

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// GandiPublicBase is the base the real API puts in the hrefs it returns.
const GandiPublicBase = "https://api.gandi.net/v5/livedns"

// GandiRRset is an RRset as the Gandi emulator holds it.
type GandiRRset struct {
	Name   string // relative, "@" for the apex
	Type   string
	TTL    int
	Values []string
}

// Gandi emulates the parts of the Gandi LiveDNS v5 API that libdns/gandi
// v1.1.0 uses, under /v5/livedns.
type Gandi struct {
	core
	// PublicBase is used in the hrefs the emulator returns (default
	// GandiPublicBase, so a client must rewrite them as it would the
	// built-in host). Set it to URL() to act like the sandbox, whose
	// hrefs point at itself.
	PublicBase string

	stateMu  sync.Mutex // guards the fields below
	tokens   map[string][]string
	readOnly map[string]bool                   // tokens without the permission to change records
	domains  map[string]map[string]*GandiRRset // fqdn -> "name TYPE" -> RRset
}

// NewGandi starts a Gandi emulator that stops when t ends.
func NewGandi(t testing.TB) *Gandi {
	t.Helper()
	g := &Gandi{PublicBase: GandiPublicBase, tokens: map[string][]string{}, readOnly: map[string]bool{},
		domains: map[string]map[string]*GandiRRset{}}
	g.start(t, g.routes(), g.renderFault)
	return g
}

// URL is the API base to configure instead of https://api.gandi.net/v5/livedns.
func (g *Gandi) URL() string { return g.srv.URL + "/v5/livedns" }

// AddToken makes pat a valid personal access token for the given domains
// (none: all domains).
func (g *Gandi) AddToken(pat string, domains ...string) {
	g.stateMu.Lock()
	defer g.stateMu.Unlock()
	g.tokens[pat] = domains
}

// AddReadOnlyToken makes pat a valid token that may read the domains' records
// but not change them (a PAT without the permission to manage the
// domains' technical configuration): PUT and DELETE answer 403.
func (g *Gandi) AddReadOnlyToken(pat string, domains ...string) {
	g.AddToken(pat, domains...)
	g.stateMu.Lock()
	defer g.stateMu.Unlock()
	g.readOnly[pat] = true
}

// RevokeToken makes pat unknown: every request with it answers 403.
func (g *Gandi) RevokeToken(pat string) {
	g.stateMu.Lock()
	defer g.stateMu.Unlock()
	delete(g.tokens, pat)
}

// AddDomain creates an empty domain.
func (g *Gandi) AddDomain(fqdn string) {
	g.stateMu.Lock()
	defer g.stateMu.Unlock()
	g.domains[trimDot(fqdn)] = map[string]*GandiRRset{}
}

// Seed sets an RRset directly, as if it existed before the test.
func (g *Gandi) Seed(fqdn, name, typ string, ttl int, values ...string) {
	g.set(fqdn, name, typ, ttl, values, "seed")
}

// Edit replaces an RRset's values by hand, as someone in Gandi's web
// interface would.
func (g *Gandi) Edit(fqdn, name, typ string, values ...string) {
	g.set(fqdn, name, typ, 300, values, "edit")
}

func (g *Gandi) set(fqdn, name, typ string, ttl int, values []string, by string) {
	g.stateMu.Lock()
	defer g.stateMu.Unlock()
	d := g.domain(fqdn)
	d[name+" "+typ] = &GandiRRset{Name: name, Type: typ, TTL: ttl, Values: slices.Clone(values)}
	g.changed(fqdn, name, typ, values, by)
}

// Values returns the sorted values of an RRset (nil if it does not exist).
func (g *Gandi) Values(fqdn, name, typ string) []string {
	g.stateMu.Lock()
	defer g.stateMu.Unlock()
	rr := g.domain(fqdn)[name+" "+typ]
	if rr == nil {
		return nil
	}
	out := slices.Clone(rr.Values)
	slices.Sort(out)
	return out
}

// TTL returns an RRset's TTL (0 if it does not exist).
func (g *Gandi) TTL(fqdn, name, typ string) int {
	g.stateMu.Lock()
	defer g.stateMu.Unlock()
	if rr := g.domain(fqdn)[name+" "+typ]; rr != nil {
		return rr.TTL
	}
	return 0
}

func (g *Gandi) domain(fqdn string) map[string]*GandiRRset {
	d, ok := g.domains[trimDot(fqdn)]
	if !ok {
		panic(fmt.Sprintf("gandi emulator: no domain %q; call AddDomain first", fqdn))
	}
	return d
}

func (g *Gandi) changed(fqdn, name, typ string, values []string, by string) {
	full := trimDot(fqdn)
	if name != "@" {
		full = name + "." + full
	}
	g.record(strings.ToLower(full), typ, values, by)
}

// href is the public URL of a domain path, as the API spells it.
func (g *Gandi) href(fqdn string, parts ...string) string {
	h := g.PublicBase + "/domains/" + fqdn
	for _, p := range parts {
		h += "/" + url.PathEscape(p)
	}
	return h
}

// renderFault answers with a fault in Gandi's dialect.
func (g *Gandi) renderFault(w http.ResponseWriter, f *Fault) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	switch {
	case f.HTML:
		htmlPage(w, f.Status)
	case f.Body != "":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.Status)
		fmt.Fprint(w, f.Body)
	default:
		writeJSON(w, f.Status, gandiFaultBody(f.Status))
	}
}

func gandiFaultBody(status int) any {
	switch status {
	case http.StatusUnauthorized:
		return gandiUnauthorized
	case http.StatusForbidden:
		return gandiForbidden
	case http.StatusNotFound:
		return gandiNotFound
	}
	// [guess] the shape of 429 and 5xx bodies follows Gandi's other errors.
	text := http.StatusText(status)
	return gandiError{Code: status, Cause: text, Object: "HTTP" + strings.ReplaceAll(text, " ", ""), Message: text}
}
