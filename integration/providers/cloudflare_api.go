package providers

import (
	"net/http"
	"slices"
	"strings"
)

func (c *Cloudflare) routes() http.Handler {
	mux := http.NewServeMux()
	const base = "/client/v4"
	mux.HandleFunc("GET "+base+"/zones", c.auth(false, c.listZones))
	mux.HandleFunc("GET "+base+"/zones/{zid}/dns_records", c.auth(false, c.withZone(c.listRecords)))
	mux.HandleFunc("POST "+base+"/zones/{zid}/dns_records", c.auth(true, c.withZone(c.createRecord)))
	mux.HandleFunc("PATCH "+base+"/zones/{zid}/dns_records/{rid}", c.auth(true, c.withZone(c.patchRecord)))
	mux.HandleFunc("DELETE "+base+"/zones/{zid}/dns_records/{rid}", c.auth(true, c.withZone(c.deleteRecord)))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeCF(w, http.StatusNotFound, nil, nil, cfError{Code: 7000, Message: "No route for that URI"})
	})
	return mux
}

type cfHandler func(w http.ResponseWriter, r *http.Request, tok CFToken)
type cfZoneHandler func(w http.ResponseWriter, r *http.Request, z *cfZone)

// auth checks the Bearer token (and, for records, DNS Read or, to change
// them, DNS Edit) before h runs, holding the state lock for the whole
// request. Cloudflare answers both an unknown token and a missing
// permission with 403 and code 10000 "Authentication error".
func (c *Cloudflare) auth(write bool, h cfHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c.stateMu.Lock()
		defer c.stateMu.Unlock()
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || raw == "" {
			writeCF(w, http.StatusBadRequest, nil, nil, cfError{Code: 6003, Message: "Invalid request headers",
				ErrorChain: []cfError{{Code: 6111, Message: "Invalid format for Authorization header"}}})
			return
		}
		tok, known := c.tokens[raw]
		if !known || (write && !tok.DNSWrite) || (r.PathValue("zid") != "" && !tok.DNSRead && !tok.DNSWrite) {
			status := http.StatusForbidden
			if c.RefuseWith401 && !known {
				status = http.StatusUnauthorized
			}
			writeCF(w, status, nil, nil, cfError{Code: 10000, Message: "Authentication error"})
			return
		}
		h(w, r, tok)
	}
}

// withZone resolves {zid} and checks the token covers the zone.
func (c *Cloudflare) withZone(h cfZoneHandler) cfHandler {
	return func(w http.ResponseWriter, r *http.Request, tok CFToken) {
		z := c.zoneByID(r.PathValue("zid"))
		if z == nil {
			writeCF(w, http.StatusNotFound, nil, nil,
				cfError{Code: 7003, Message: "Could not route to " + r.URL.Path + ", perhaps your object identifier is invalid?"},
				cfError{Code: 7000, Message: "No route for that URI"})
			return
		}
		if tok.Zones != nil && !slices.Contains(tok.Zones, z.name) {
			writeCF(w, http.StatusForbidden, nil, nil, cfError{Code: 10000, Message: "Authentication error"})
			return
		}
		h(w, r, z)
	}
}

type cfZoneJSON struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

func (c *Cloudflare) listZones(w http.ResponseWriter, r *http.Request, tok CFToken) {
	q := r.URL.Query()
	var found []cfZoneJSON
	for _, z := range c.zones {
		if !tok.ZoneRead || (tok.Zones != nil && !slices.Contains(tok.Zones, z.name)) {
			continue
		}
		if name := q.Get("name"); name == "" || strings.EqualFold(trimDot(name), z.name) {
			found = append(found, cfZoneJSON{ID: z.id, Name: z.name, Status: "active"})
		}
	}
	from, to, info := page(q, len(found), 20, 50)
	writeCF(w, http.StatusOK, nonNil(found[from:to]), info)
}

func (c *Cloudflare) listRecords(w http.ResponseWriter, r *http.Request, z *cfZone) {
	q := r.URL.Query()
	var found []cfRecordJSON
	for _, rec := range z.records {
		if matches(rec, q) {
			found = append(found, rec.json())
		}
	}
	from, to, info := page(q, len(found), 100, 5000000)
	writeCF(w, http.StatusOK, nonNil(found[from:to]), info)
}

// matches applies the list filters libdns uses; others are ignored.
func matches(rec *CFRecord, q map[string][]string) bool {
	get := func(k string) (string, bool) {
		v, ok := q[k]
		if !ok || len(v) == 0 {
			return "", false
		}
		return strings.ToLower(v[0]), true
	}
	name, content := strings.ToLower(rec.Name), strings.ToLower(rec.Content)
	checks := []struct {
		key string
		ok  func(v string) bool
	}{
		{"type", func(v string) bool { return strings.EqualFold(v, rec.Type) }},
		{"name", func(v string) bool { return v == name }},
		{"name.exact", func(v string) bool { return v == name }},
		{"content", func(v string) bool { return v == content }},
		{"content.exact", func(v string) bool { return v == content }},
		{"content.contains", func(v string) bool { return strings.Contains(content, v) }},
	}
	for _, ch := range checks {
		if v, ok := get(ch.key); ok && !ch.ok(v) {
			return false
		}
	}
	return true
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
