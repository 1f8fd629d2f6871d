package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// Limits on how much of a body the transport reads for itself; the
// library always gets the whole body.
const (
	errorBodyLimit = 64 << 10
	listBodyLimit  = 32 << 20
)

// observe reads what classification and the proxied handling need from a
// response: the API's error codes from an error body, and the proxied
// state of the records in a Cloudflare record list. The body is put back
// whole for the library.
func observe(ctx context.Context, ex *exchange, method, path string, resp *http.Response) {
	switch {
	case resp.StatusCode >= 400 && ex != nil && strings.Contains(resp.Header.Get("Content-Type"), "json"):
		codes, object := errorCodes(peek(resp, errorBodyLimit))
		ex.errorBody(codes, object)
	case method == http.MethodGet && resp.StatusCode == http.StatusOK && path == "/zones" && ex != nil:
		// Cloudflare's zone lookup may refuse a token with 200 and
		// {"success":false,"errors":[{"code":1000,...}]}.
		codes, object := errorCodes(peek(resp, errorBodyLimit))
		ex.errorBody(codes, object)
	case method == http.MethodGet && resp.StatusCode == http.StatusOK && isRecordList(path):
		if seen := cfSeenFrom(ctx); seen != nil {
			seen.add(peek(resp, listBodyLimit))
		}
	}
}

// peek reads up to n bytes of the body and puts them back in front of the
// rest of it.
func peek(resp *http.Response, n int64) []byte {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, n))
	resp.Body = &rejoined{Reader: io.MultiReader(bytes.NewReader(b), resp.Body), Closer: resp.Body}
	return b
}

type rejoined struct {
	io.Reader
	io.Closer
}

// errorCodes reads the error codes of a Cloudflare envelope
// ({"errors":[{"code":7003,...}]}) or a Gandi error ({"code":404,
// "object":"HTTPNotFound"}).
func errorCodes(body []byte) ([]int, string) {
	var e struct {
		Errors []struct {
			Code int `json:"code"`
		} `json:"errors"`
		Code   int    `json:"code"`
		Object string `json:"object"`
	}
	if json.Unmarshal(body, &e) != nil {
		return nil, ""
	}
	var codes []int
	for _, x := range e.Errors {
		codes = append(codes, x.Code)
	}
	if e.Code != 0 {
		codes = append(codes, e.Code)
	}
	return codes, e.Object
}

// isRecordList reports whether path is Cloudflare's /zones/{id}/dns_records.
func isRecordList(path string) bool {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	return len(parts) == 3 && parts[0] == "zones" && parts[2] == "dns_records"
}
