package provider

import (
	"context"
	"net/http"
	"strings"
	"sync"
)

// exchange records what the last HTTP request of one library call got back,
// so that an error the library returns as a plain string can be classified
// (status, Retry-After, HTML body) by the retry loop.
type exchange struct {
	mu          sync.Mutex
	requests    int
	status      int    // 0 while a request is in flight or when it got no response
	retryAfter  string // the raw Retry-After header
	contentType string
	timedOut    bool // the per-request timeout fired
}

// response is a copy of what an exchange recorded.
type response struct {
	requests    int
	status      int
	retryAfter  string
	contentType string
	timedOut    bool
}

func (e *exchange) start() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests++
	e.status, e.retryAfter, e.contentType, e.timedOut = 0, "", "", false
}

func (e *exchange) got(resp *http.Response) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.status = resp.StatusCode
	e.retryAfter = resp.Header.Get("Retry-After")
	e.contentType = resp.Header.Get("Content-Type")
}

func (e *exchange) timeout() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.timedOut = true
}

func (e *exchange) last() response {
	e.mu.Lock()
	defer e.mu.Unlock()
	return response{e.requests, e.status, e.retryAfter, e.contentType, e.timedOut}
}

// html reports whether the response was a web page rather than JSON.
func (r response) html() bool {
	return strings.Contains(strings.ToLower(r.contentType), "html")
}

type ctxKey int

const (
	exchangeKey ctxKey = iota
	routeKey
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
