package provider

import (
	"net/http"
	"sync"
)

// gandiHookOnce guards the one process-wide change this package makes; see
// the package documentation ("Process-wide effect of Gandi").
var gandiHookOnce sync.Once

// installGandiHook puts gandiHook in front of http.DefaultClient's
// transport, once per process.
func installGandiHook() {
	gandiHookOnce.Do(func() {
		http.DefaultClient.Transport = &gandiHook{prev: http.DefaultClient.Transport}
	})
}

// gandiHook sends a request through the rewriter its context carries (set
// by a gandi Publisher), and every other request to the transport that was
// installed before it, untouched.
type gandiHook struct {
	prev http.RoundTripper // nil means http.DefaultTransport
}

// RoundTrip implements http.RoundTripper.
func (h *gandiHook) RoundTrip(req *http.Request) (*http.Response, error) {
	if rt := routeFrom(req.Context()); rt != nil {
		return rt.RoundTrip(req)
	}
	if h.prev != nil {
		return h.prev.RoundTrip(req)
	}
	return http.DefaultTransport.RoundTrip(req)
}
