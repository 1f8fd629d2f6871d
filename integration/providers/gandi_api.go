package providers

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/netip"
	"slices"
	"strings"
)

// gandiError is Gandi's error body.
type gandiError struct {
	Code    int              `json:"code,omitempty"`
	Cause   string           `json:"cause,omitempty"`
	Object  string           `json:"object,omitempty"`
	Message string           `json:"message"`
	Errors  []gandiFieldFail `json:"errors,omitempty"`
}

type gandiFieldFail struct {
	Location    string `json:"location"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

var (
	gandiUnauthorized = gandiError{Message: "You must provide an access token or an API Key. See https://api.gandi.net/docs/authentication/"}
	gandiForbidden    = gandiError{Code: 403, Cause: "Forbidden", Object: "HTTPForbidden", Message: "Access was denied to this resource."}
	gandiNotFound     = gandiError{Code: 404, Cause: "Not Found", Object: "HTTPNotFound", Message: "The resource could not be found."}
)

type gandiRRsetJSON struct {
	Name   string   `json:"rrset_name"`
	Type   string   `json:"rrset_type"`
	TTL    int      `json:"rrset_ttl"`
	Values []string `json:"rrset_values"`
	Href   string   `json:"rrset_href"`
}

type gandiPut struct {
	Values []string `json:"rrset_values"`
	TTL    *int     `json:"rrset_ttl"`
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func (g *Gandi) routes() http.Handler {
	mux := http.NewServeMux()
	const d = "/v5/livedns/domains/{fqdn}"
	mux.HandleFunc("GET "+d, g.auth(g.getDomain))
	mux.HandleFunc("GET "+d+"/records", g.auth(g.listRecords))
	mux.HandleFunc("GET "+d+"/records/{name}/{type}", g.auth(g.getRRset))
	mux.HandleFunc("PUT "+d+"/records/{name}/{type}", g.auth(g.putRRset))
	mux.HandleFunc("DELETE "+d+"/records/{name}/{type}", g.auth(g.deleteRRset))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "Cannot %s %s\n", r.Method, r.URL.Path)
	})
	return mux
}

type gandiHandler func(w http.ResponseWriter, r *http.Request, fqdn string, d map[string]*GandiRRset)

// auth checks the Bearer token and its scope, then runs h holding the lock.
func (g *Gandi) auth(h gandiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		g.stateMu.Lock()
		defer g.stateMu.Unlock()
		header := r.Header.Get("Authorization")
		if header == "" {
			writeJSON(w, http.StatusUnauthorized, gandiUnauthorized)
			return
		}
		pat, _ := strings.CutPrefix(header, "Bearer ")
		scope, known := g.tokens[pat]
		if !strings.HasPrefix(header, "Bearer ") || !known {
			writeJSON(w, http.StatusForbidden, gandiForbidden)
			return
		}
		fqdn := strings.ToLower(r.PathValue("fqdn"))
		d, exists := g.domains[fqdn]
		if !exists || (scope != nil && !slices.Contains(scope, fqdn)) {
			writeJSON(w, http.StatusNotFound, gandiNotFound)
			return
		}
		if g.readOnly[pat] && r.Method != http.MethodGet {
			writeJSON(w, http.StatusForbidden, gandiForbidden)
			return
		}
		h(w, r, fqdn, d)
	}
}

func (g *Gandi) getDomain(w http.ResponseWriter, r *http.Request, fqdn string, _ map[string]*GandiRRset) {
	writeJSON(w, http.StatusOK, map[string]any{
		"fqdn": fqdn, "domain_href": g.href(fqdn), "domain_records_href": g.href(fqdn, "records"),
		"domain_keys_href": g.href(fqdn, "keys"), "automatic_snapshots": true,
	})
}

func (g *Gandi) rrsetJSON(fqdn string, rr *GandiRRset) gandiRRsetJSON {
	return gandiRRsetJSON{Name: rr.Name, Type: rr.Type, TTL: rr.TTL, Values: rr.Values, Href: g.href(fqdn, "records", rr.Name, rr.Type)}
}

func (g *Gandi) listRecords(w http.ResponseWriter, r *http.Request, fqdn string, d map[string]*GandiRRset) {
	out := []gandiRRsetJSON{}
	for _, rr := range d {
		if t := r.URL.Query().Get("rrset_type"); t == "" || strings.EqualFold(t, rr.Type) {
			out = append(out, g.rrsetJSON(fqdn, rr))
		}
	}
	slices.SortFunc(out, func(a, b gandiRRsetJSON) int { return strings.Compare(a.Name+" "+a.Type, b.Name+" "+b.Type) })
	writeJSON(w, http.StatusOK, out)
}

// missing answers 404 with the "code":404 body libdns/gandi keys on.
func missing(w http.ResponseWriter, name, typ string) {
	writeJSON(w, http.StatusNotFound, gandiError{Code: 404, Cause: "Not Found", Object: "dns-record",
		Message: fmt.Sprintf("Can't find the DNS record %s/%s in the zone", name, typ)})
}

func (g *Gandi) getRRset(w http.ResponseWriter, r *http.Request, fqdn string, d map[string]*GandiRRset) {
	name, typ := r.PathValue("name"), strings.ToUpper(r.PathValue("type"))
	rr := d[name+" "+typ]
	if rr == nil {
		missing(w, name, typ)
		return
	}
	writeJSON(w, http.StatusOK, g.rrsetJSON(fqdn, rr))
}

func (g *Gandi) deleteRRset(w http.ResponseWriter, r *http.Request, fqdn string, d map[string]*GandiRRset) {
	name, typ := r.PathValue("name"), strings.ToUpper(r.PathValue("type"))
	if d[name+" "+typ] == nil {
		missing(w, name, typ)
		return
	}
	delete(d, name+" "+typ)
	g.changed(fqdn, name, typ, nil, r.Method)
	w.WriteHeader(http.StatusNoContent)
}

// putRRset replaces the whole RRset, as the real API does.
func (g *Gandi) putRRset(w http.ResponseWriter, r *http.Request, fqdn string, d map[string]*GandiRRset) {
	name, typ := r.PathValue("name"), strings.ToUpper(r.PathValue("type"))
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		writeJSON(w, http.StatusUnsupportedMediaType, gandiError{Code: 415, Cause: "Unsupported Media Type",
			Object: "HTTPUnsupportedMediaType", Message: "Content-Type must be application/json"}) // [guess]
		return
	}
	var in gandiPut
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		badRequest(w, "body", "body", "the body is not valid JSON")
		return
	}
	ttl := 10800
	if in.TTL != nil {
		ttl = *in.TTL
	}
	if fail := checkRRset(fqdn, name, typ, ttl, in.Values); fail != nil {
		badRequest(w, fail.Location, fail.Name, fail.Description)
		return
	}
	rr := &GandiRRset{Name: name, Type: typ, TTL: ttl, Values: slices.Clone(in.Values)}
	d[name+" "+typ] = rr
	g.changed(fqdn, name, typ, rr.Values, r.Method)
	w.Header().Set("Location", g.href(fqdn, "records", name, typ))
	writeJSON(w, http.StatusCreated, map[string]string{"message": "DNS Record Created"})
}

// checkRRset validates a PUT; the error body's exact shape is [guess].
func checkRRset(fqdn, name, typ string, ttl int, values []string) *gandiFieldFail {
	switch {
	case strings.HasSuffix(name, "."):
		return &gandiFieldFail{"path", "rrset_name", "Absolute rrset_name must end with " + fqdn + "."}
	case len(values) == 0:
		return &gandiFieldFail{"body", "rrset_values", "rrset_values must not be empty"}
	case ttl < 300 || ttl > 2592000:
		return &gandiFieldFail{"body", "rrset_ttl", "rrset_ttl must be between 300 and 2592000"}
	}
	for _, v := range values {
		a, err := netip.ParseAddr(v)
		if (typ == "A" || typ == "AAAA") && (err != nil || a.Is4() != (typ == "A")) {
			return &gandiFieldFail{"body", "rrset_values", fmt.Sprintf("%q is not a valid %s value", v, typ)}
		}
	}
	return nil
}

func badRequest(w http.ResponseWriter, location, name, description string) {
	writeJSON(w, http.StatusBadRequest, gandiError{Code: 400, Cause: "Bad Request", Object: "HTTPBadRequest",
		Message: description, Errors: []gandiFieldFail{{Location: location, Name: name, Description: description}}})
}
