package provider

import (
	"context"
	"net/http"
	"strings"
	"sync"
)

// exchange records what the last HTTP request of one library call got back,
// so that an error the library returns as a plain string can be classified
// (which request, status, Retry-After, HTML body, the API's error codes)
// by the retry loop.
type exchange struct {
	mu   sync.Mutex
	last response
}

// response is what an exchange recorded about the last request.
type response struct {
	requests    int
	method      string
	path        string // below the API base: "/zones", "/domains/example.com/records/www/A"
	status      int    // 0 while a request is in flight or when it got no response
	retryAfter  string // the raw Retry-After header
	contentType string
	timedOut    bool  // the per-request timeout fired
	codes       []int // Cloudflare's errors[].code, Gandi's code, from an error body
	object      string
}

func (e *exchange) start(method, path string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.last = response{requests: e.last.requests + 1, method: method, path: path}
}

func (e *exchange) got(resp *http.Response) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.last.status = resp.StatusCode
	e.last.retryAfter = resp.Header.Get("Retry-After")
	e.last.contentType = resp.Header.Get("Content-Type")
}

func (e *exchange) errorBody(codes []int, object string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.last.codes, e.last.object = codes, object
}

func (e *exchange) timeout() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.last.timedOut = true
}

func (e *exchange) response() response {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last
}

// html reports whether the response was a web page rather than JSON.
func (r response) html() bool {
	return strings.Contains(strings.ToLower(r.contentType), "html")
}

func (r response) hasCode(c int) bool {
	for _, x := range r.codes {
		if x == c {
			return true
		}
	}
	return false
}

type ctxKey int

const (
	exchangeKey ctxKey = iota
	routeKey
	cfSeenKey
	cfCreateKey
)

func withExchange(ctx context.Context, e *exchange) context.Context {
	return context.WithValue(ctx, exchangeKey, e)
}

func exchangeFrom(ctx context.Context) *exchange {
	e, _ := ctx.Value(exchangeKey).(*exchange)
	return e
}

// withRoute marks a context so the process-wide Gandi hook sends its
// requests through rt.
func withRoute(ctx context.Context, rt *rewriter) context.Context {
	return context.WithValue(ctx, routeKey, rt)
}

func routeFrom(ctx context.Context) *rewriter {
	rt, _ := ctx.Value(routeKey).(*rewriter)
	return rt
}
