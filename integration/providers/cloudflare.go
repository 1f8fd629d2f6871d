package providers

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// CFToken is what a Cloudflare API token may do: Cloudflare's "Zone
// Read", "DNS Read" and "DNS Edit" permissions, for some or all zones.
type CFToken struct {
	ZoneRead bool     // may list zones (otherwise the list comes back empty)
	DNSRead  bool     // may read records (DNSWrite implies it, as DNS Edit does)
	DNSWrite bool     // may change records
	Zones    []string // zone names it covers; nil means all
}

// CFRecord is a DNS record as the Cloudflare emulator holds it.
type CFRecord struct {
	ID       string
	Name     string // FQDN without the trailing dot
	Type     string
	Content  string
	TTL      int
	Proxied  bool
	Created  time.Time
	Modified time.Time
}

type cfZone struct {
	id, name string
	records  []*CFRecord
}

// Cloudflare emulates the parts of the Cloudflare v4 API that
// libdns/cloudflare v0.2.2 uses, under /client/v4.
type Cloudflare struct {
	core
	// RefuseWith401 answers an unknown token with 401 instead of 403.
	RefuseWith401 bool
	// RejectTypeChange refuses a PATCH that changes a record's type, as
	// Cloudflare does after 2026-06-30.
	RejectTypeChange bool

	stateMu sync.Mutex // guards the fields below
	tokens  map[string]CFToken
	zones   []*cfZone
	serial  int
}

// NewCloudflare starts a Cloudflare emulator that stops when t ends.
func NewCloudflare(t testing.TB) *Cloudflare {
	t.Helper()
	c := &Cloudflare{tokens: map[string]CFToken{}}
	c.start(t, c.routes(), c.renderFault)
	return c
}

// URL is the API base to configure instead of https://api.cloudflare.com/client/v4.
func (c *Cloudflare) URL() string { return c.srv.URL + "/client/v4" }

// AddToken makes tok a valid token with the given permissions.
func (c *Cloudflare) AddToken(tok string, perm CFToken) {
	c.stateMu.Lock()
	defer c.stateMu.Unlock()
	c.tokens[tok] = perm
}

// RevokeToken makes tok unknown, as revoking it in the dashboard does:
// every request with it is then refused with 403 and code 10000.
func (c *Cloudflare) RevokeToken(tok string) {
	c.stateMu.Lock()
	defer c.stateMu.Unlock()
	delete(c.tokens, tok)
}

// RemoveZone deletes a zone and its records: its id is then unknown
// (404, code 7003) and a lookup by name finds nothing.
func (c *Cloudflare) RemoveZone(name string) {
	c.stateMu.Lock()
	defer c.stateMu.Unlock()
	c.zones = slices.DeleteFunc(c.zones, func(z *cfZone) bool { return strings.EqualFold(z.name, trimDot(name)) })
}

// AddZone creates a zone and returns its id.
func (c *Cloudflare) AddZone(name string) string {
	c.stateMu.Lock()
	defer c.stateMu.Unlock()
	z := &cfZone{id: c.newID(), name: trimDot(name)}
	c.zones = append(c.zones, z)
	return z.id
}

// Seed adds a record directly, as if made in the dashboard before the test.
func (c *Cloudflare) Seed(zone, name, typ, content string, ttl int, proxied bool) string {
	c.stateMu.Lock()
	defer c.stateMu.Unlock()
	z := c.zoneByName(zone)
	now := time.Now().UTC()
	r := &CFRecord{ID: c.newID(), Name: fqdn(name, z.name), Type: typ, Content: content, TTL: ttl, Proxied: proxied, Created: now, Modified: now}
	z.records = append(z.records, r)
	c.changed(z, r.Name, r.Type, "seed")
	return r.ID
}

// Edit changes a record's content by hand, as someone in the dashboard would.
func (c *Cloudflare) Edit(zone, id, content string) {
	c.stateMu.Lock()
	defer c.stateMu.Unlock()
	z := c.zoneByName(zone)
	for _, r := range z.records {
		if r.ID == id {
			r.Content, r.Modified = content, time.Now().UTC()
			c.changed(z, r.Name, r.Type, "edit")
		}
	}
}

// Records returns copies of the records with this name (relative or FQDN)
// and type.
func (c *Cloudflare) Records(zone, name, typ string) []CFRecord {
	c.stateMu.Lock()
	defer c.stateMu.Unlock()
	z := c.zoneByName(zone)
	var out []CFRecord
	for _, r := range z.records {
		if strings.EqualFold(r.Name, fqdn(name, z.name)) && r.Type == typ {
			out = append(out, *r)
		}
	}
	return out
}

// Values returns the sorted contents of an RRset.
func (c *Cloudflare) Values(zone, name, typ string) []string {
	var out []string
	for _, r := range c.Records(zone, name, typ) {
		out = append(out, r.Content)
	}
	slices.Sort(out)
	return out
}

func (c *Cloudflare) zoneByName(name string) *cfZone {
	for _, z := range c.zones {
		if strings.EqualFold(z.name, trimDot(name)) {
			return z
		}
	}
	panic(fmt.Sprintf("cloudflare emulator: no zone %q; call AddZone first", name))
}

func (c *Cloudflare) zoneByID(id string) *cfZone {
	for _, z := range c.zones {
		if z.id == id {
			return z
		}
	}
	return nil
}

// changed records the current state of one RRset in the history.
func (c *Cloudflare) changed(z *cfZone, name, typ, by string) {
	var values []string
	for _, r := range z.records {
		if strings.EqualFold(r.Name, name) && r.Type == typ {
			values = append(values, r.Content)
		}
	}
	c.record(strings.ToLower(name), typ, values, by)
}

// newID returns a 32-hex-digit id, like Cloudflare's.
func (c *Cloudflare) newID() string {
	c.serial++
	return fmt.Sprintf("%032x", c.serial)
}

// renderFault answers with a fault in Cloudflare's dialect.
func (c *Cloudflare) renderFault(w http.ResponseWriter, f *Fault) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Status == http.StatusTooManyRequests {
		w.Header().Set("Ratelimit", `"default";r=0;t=30`)
		w.Header().Set("Ratelimit-Policy", `"burst";q=100;w=60`)
	}
	switch {
	case f.HTML:
		htmlPage(w, f.Status)
	case f.Body != "":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.Status)
		fmt.Fprint(w, f.Body)
	default:
		writeCF(w, f.Status, nil, nil, cfFaultError(f.Status)...)
	}
}

func cfFaultError(status int) []cfError {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return []cfError{{Code: 10000, Message: "Authentication error"}}
	case status == http.StatusNotFound:
		return []cfError{{Code: 81044, Message: "Record does not exist."}}
	case status == http.StatusTooManyRequests:
		return []cfError{{Code: 971, Message: "Please wait and consider throttling your request speed"}}
	}
	// [guess] the code Cloudflare uses for its own failures.
	return []cfError{{Code: 10002, Message: "An unknown error has occurred"}}
}

func trimDot(s string) string { return strings.TrimSuffix(s, ".") }

// fqdn expands a record name against a zone the way Cloudflare does: "@",
// "" and the zone itself mean the apex, a name already under the zone stays.
func fqdn(name, zone string) string {
	name, zone = strings.ToLower(trimDot(name)), strings.ToLower(trimDot(zone))
	switch {
	case name == "" || name == "@" || name == zone:
		return zone
	case strings.HasSuffix(name, "."+zone):
		return name
	}
	return name + "." + zone
}
