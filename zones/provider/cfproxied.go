package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"sync"
)

// Cloudflare's proxied flag. libdns/cloudflare v0.2.2 neither reports it
// (its records carry no proxied field) nor can set it on a new record
// (proxied is omitted when false and never set true), so a value added
// beside a proxied record would be created unproxied: the origin's
// address in public DNS. This package fills both gaps in the transport
// under the library, with the library's own requests:
//
//   - cfSeen reads the proxied state of each record from the record lists
//     the library fetches (GET /zones/{id}/dns_records);
//   - a record creation (POST /zones/{id}/dns_records) made while the
//     context says so is sent with "proxied": true and the automatic TTL,
//     as Cloudflare requires for proxied records.
//
// A value is created proxied when any record of its RRset is; an RRset
// that does not exist yet is created unproxied, as in the dashboard.

// cfSeen collects the proxied state of the records in the lists read.
type cfSeen struct {
	mu      sync.Mutex
	proxied map[string]bool // cfKey -> proxied
}

func withCFSeen(ctx context.Context, s *cfSeen) context.Context {
	return context.WithValue(ctx, cfSeenKey, s)
}

func cfSeenFrom(ctx context.Context) *cfSeen {
	s, _ := ctx.Value(cfSeenKey).(*cfSeen)
	return s
}

// cfKey names one record value: FQDN without the dot, type, address.
func cfKey(fqdn, typ string, a netip.Addr) string {
	return strings.ToLower(strings.TrimSuffix(fqdn, ".")) + " " + strings.ToUpper(typ) + " " + a.String()
}

// add reads one page of a record list.
func (s *cfSeen) add(body []byte) {
	var page struct {
		Result []struct {
			Name    string `json:"name"`
			Type    string `json:"type"`
			Content string `json:"content"`
			Proxied bool   `json:"proxied"`
		} `json:"result"`
	}
	if json.Unmarshal(body, &page) != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proxied == nil {
		s.proxied = map[string]bool{}
	}
	for _, r := range page.Result {
		if a, err := netip.ParseAddr(r.Content); err == nil {
			s.proxied[cfKey(r.Name, r.Type, a.Unmap())] = r.Proxied
		}
	}
}

func (s *cfSeen) get(fqdn, typ string, a netip.Addr) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proxied[cfKey(fqdn, typ, a)]
}

// withCreateProxied makes the transport send the record creations of
// this call as proxied.
func withCreateProxied(ctx context.Context) context.Context {
	return context.WithValue(ctx, cfCreateKey, true)
}

// adjustCreate rewrites the body of a record creation to be proxied when
// the request's context asks for it (withCreateProxied).
func adjustCreate(req *http.Request, path string) error {
	if req.Method != http.MethodPost || !isRecordList(path) || req.Context().Value(cfCreateKey) != true || req.Body == nil {
		return nil
	}
	b, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return fmt.Errorf("reading the record to create: %w", err)
	}
	var rec map[string]any
	if err := json.Unmarshal(b, &rec); err != nil {
		return fmt.Errorf("the record to create is not JSON: %w", err)
	}
	rec["proxied"], rec["ttl"] = true, 1
	if b, err = json.Marshal(rec); err != nil {
		return err
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	req.ContentLength = int64(len(b))
	return nil
}
