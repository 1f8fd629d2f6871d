package providers

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// cfError is one entry of the envelope's errors list.
type cfError struct {
	Code       int       `json:"code"`
	Message    string    `json:"message"`
	ErrorChain []cfError `json:"error_chain,omitempty"`
}

// cfResultInfo is the paging block of list answers. libdns/cloudflare
// crashes without it or with per_page 0, so lists always carry it.
type cfResultInfo struct {
	Page       int `json:"page"`
	PerPage    int `json:"per_page"`
	Count      int `json:"count"`
	TotalCount int `json:"total_count"`
	TotalPages int `json:"total_pages"`
}

// cfEnvelope is Cloudflare's answer to every call.
type cfEnvelope struct {
	Success    bool          `json:"success"`
	Errors     []cfError     `json:"errors"`
	Messages   []any         `json:"messages"`
	Result     any           `json:"result"`
	ResultInfo *cfResultInfo `json:"result_info,omitempty"`
}

// cfRecordJSON is a record as the API returns it.
type cfRecordJSON struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Type       string   `json:"type"`
	Content    string   `json:"content"`
	TTL        int      `json:"ttl"`
	Proxied    bool     `json:"proxied"`
	Proxiable  bool     `json:"proxiable"`
	Comment    *string  `json:"comment"`
	Tags       []string `json:"tags"`
	CreatedOn  string   `json:"created_on"`
	ModifiedOn string   `json:"modified_on"`
}

// cfInput is a create or update body. Pointers tell absent from zero;
// unknown fields (libdns sends created_on, data, ...) are ignored.
type cfInput struct {
	Type    *string `json:"type"`
	Name    *string `json:"name"`
	Content *string `json:"content"`
	TTL     *int    `json:"ttl"`
	Proxied *bool   `json:"proxied"`
}

func writeCF(w http.ResponseWriter, status int, result any, info *cfResultInfo, errs ...cfError) {
	env := cfEnvelope{Success: len(errs) == 0, Errors: errs, Messages: []any{}, Result: result, ResultInfo: info}
	if env.Errors == nil {
		env.Errors = []cfError{}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(env)
}

func (r *CFRecord) json() cfRecordJSON {
	proxiable := r.Type == "A" || r.Type == "AAAA" || r.Type == "CNAME"
	return cfRecordJSON{
		ID: r.ID, Name: r.Name, Type: r.Type, Content: r.Content, TTL: r.TTL, Proxied: r.Proxied,
		Proxiable: proxiable, Tags: []string{},
		CreatedOn: r.Created.Format(time.RFC3339Nano), ModifiedOn: r.Modified.Format(time.RFC3339Nano),
	}
}

// page cuts one page out of n items: default per_page def, capped at max.
func page(q map[string][]string, n, def, max int) (from, to int, info *cfResultInfo) {
	get := func(k string, d int) int {
		if v, ok := q[k]; ok && len(v) > 0 {
			if i, err := strconv.Atoi(v[0]); err == nil && i > 0 {
				return i
			}
		}
		return d
	}
	p, per := get("page", 1), min(get("per_page", def), max)
	from, to = min((p-1)*per, n), min(p*per, n)
	pages := (n + per - 1) / per
	return from, to, &cfResultInfo{Page: p, PerPage: per, Count: to - from, TotalCount: n, TotalPages: pages}
}
