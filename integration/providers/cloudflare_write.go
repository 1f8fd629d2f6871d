package providers

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"
)

func (c *Cloudflare) createRecord(w http.ResponseWriter, r *http.Request, z *cfZone) {
	var in cfInput
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeCF(w, http.StatusBadRequest, nil, nil, cfError{Code: 9207, Message: "Request body is invalid."})
		return
	}
	rec := &CFRecord{ID: c.newID()}
	mergeInput(rec, in, z.name)
	if e := c.check(z, rec); e != nil {
		writeCF(w, http.StatusBadRequest, nil, nil, *e)
		return
	}
	rec.Created = time.Now().UTC()
	rec.Modified = rec.Created
	z.records = append(z.records, rec)
	c.changed(z, rec.Name, rec.Type, r.Method)
	writeCF(w, http.StatusOK, rec.json(), nil)
}

func (c *Cloudflare) patchRecord(w http.ResponseWriter, r *http.Request, z *cfZone) {
	i := slices.IndexFunc(z.records, func(rec *CFRecord) bool { return rec.ID == r.PathValue("rid") })
	if i < 0 {
		writeCF(w, http.StatusNotFound, nil, nil, cfError{Code: 81044, Message: "Record does not exist."})
		return
	}
	var in cfInput
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeCF(w, http.StatusBadRequest, nil, nil, cfError{Code: 9207, Message: "Request body is invalid."})
		return
	}
	old := *z.records[i]
	next := old
	mergeInput(&next, in, z.name)
	if c.RejectTypeChange && next.Type != old.Type {
		writeCF(w, http.StatusBadRequest, nil, nil, cfError{Code: 9000, Message: "Changing the type of a record is not allowed."})
		return
	}
	if e := c.check(z, &next); e != nil {
		writeCF(w, http.StatusBadRequest, nil, nil, *e)
		return
	}
	next.Modified = time.Now().UTC()
	*z.records[i] = next
	c.changed(z, next.Name, next.Type, r.Method)
	if !strings.EqualFold(old.Name, next.Name) || old.Type != next.Type {
		c.changed(z, old.Name, old.Type, r.Method)
	}
	writeCF(w, http.StatusOK, next.json(), nil)
}

func (c *Cloudflare) deleteRecord(w http.ResponseWriter, r *http.Request, z *cfZone) {
	i := slices.IndexFunc(z.records, func(rec *CFRecord) bool { return rec.ID == r.PathValue("rid") })
	if i < 0 {
		writeCF(w, http.StatusNotFound, nil, nil, cfError{Code: 81044, Message: "Record does not exist."})
		return
	}
	gone := z.records[i]
	z.records = slices.Delete(z.records, i, i+1)
	c.changed(z, gone.Name, gone.Type, r.Method)
	writeCF(w, http.StatusOK, map[string]string{"id": gone.ID}, nil)
}

// mergeInput merges the fields present in in. A proxied record always has TTL 1
// (automatic); an absent or zero TTL means 1 on creation.
func mergeInput(rec *CFRecord, in cfInput, zone string) {
	if in.Type != nil {
		rec.Type = strings.ToUpper(*in.Type)
	}
	if in.Name != nil {
		rec.Name = fqdn(*in.Name, zone)
	}
	if in.Content != nil {
		rec.Content = *in.Content
	}
	if in.TTL != nil {
		rec.TTL = *in.TTL
	}
	if in.Proxied != nil {
		rec.Proxied = *in.Proxied
	}
	if rec.TTL == 0 || rec.Proxied {
		rec.TTL = 1
	}
}

// check validates a record about to be stored in z.
func (c *Cloudflare) check(z *cfZone, rec *CFRecord) *cfError {
	if rec.Name == "" || rec.Type == "" || rec.Content == "" {
		return &cfError{Code: 9000, Message: "DNS record needs a name, a type and content."}
	}
	if a, err := netip.ParseAddr(rec.Content); (rec.Type == "A" || rec.Type == "AAAA") &&
		(err != nil || a.Is4() != (rec.Type == "A") || a.Is4In6()) {
		// [guess] code and text.
		return &cfError{Code: 9005, Message: "Content for " + rec.Type + " record is invalid."}
	}
	if rec.Proxied && rec.Type != "A" && rec.Type != "AAAA" && rec.Type != "CNAME" {
		return &cfError{Code: 9004, Message: "This record type cannot be proxied."} // [guess] code
	}
	if rec.TTL != 1 && (rec.TTL < 60 || rec.TTL > 86400) {
		return &cfError{Code: 9021, Message: "TTL must be between 60 and 86400 seconds, or 1 for Automatic."}
	}
	for _, o := range z.records {
		if o.ID == rec.ID || !strings.EqualFold(o.Name, rec.Name) {
			continue
		}
		if o.Type == rec.Type && strings.EqualFold(o.Content, rec.Content) {
			return &cfError{Code: 81058, Message: "An identical record already exists."}
		}
		if (o.Type == "CNAME") != (rec.Type == "CNAME") {
			return &cfError{Code: 81053, Message: "An A, AAAA, or CNAME record with that host already exists."} // [guess]
		}
	}
	return nil
}
