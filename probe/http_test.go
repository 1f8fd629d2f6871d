package probe

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestHTTPStatus(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		expect     []int
		wantOK     bool
		wantReason string
	}{
		{"200 is 2xx", 200, nil, true, "HTTP 200"},
		{"204 is 2xx", 204, nil, true, "HTTP 204"},
		{"503 is not 2xx", 503, nil, false, "HTTP 503 (want 2xx)"},
		{"404 is not 2xx", 404, nil, false, "HTTP 404 (want 2xx)"},
		{"404 listed", 404, []int{200, 404}, true, "HTTP 404"},
		{"200 not listed", 200, []int{204, 301}, false, "HTTP 200 (want 204, 301)"},
		{"500 listed", 500, []int{500}, true, "HTTP 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
			}))
			h := &HTTP{URL: urlFor("http", listenerAddr(t, srv.Listener), "/health"), ExpectStatus: tt.expect}
			got := h.Probe(testCtx(t), listenerAddr(t, srv.Listener).Addr())
			if got.OK != tt.wantOK || got.Reason != tt.wantReason {
				t.Errorf("got OK=%v Reason=%q, want OK=%v Reason=%q", got.OK, got.Reason, tt.wantOK, tt.wantReason)
			}
			if got.Latency <= 0 {
				t.Errorf("latency %v, want > 0", got.Latency)
			}
		})
	}
}

func TestHTTPBodyContains(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		contains   string
		wantOK     bool
		wantReason string
	}{
		{"found", 200, "status: ok\n", "ok", true, "HTTP 200"},
		{"missing", 200, "status: degraded\n", "ok", false, `body lacks "ok"`},
		{"empty body", 200, "", "ok", false, `body lacks "ok"`},
		{"no check, empty body", 200, "", "", true, "HTTP 200"},
		{"status judged first", 503, "ok", "ok", false, "HTTP 503 (want 2xx)"},
		{"case matters", 200, "OK", "ok", false, `body lacks "ok"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			ap := listenerAddr(t, srv.Listener)
			h := &HTTP{URL: urlFor("http", ap, "/"), BodyContains: tt.contains}
			got := h.Probe(testCtx(t), ap.Addr())
			if got.OK != tt.wantOK || got.Reason != tt.wantReason {
				t.Errorf("got OK=%v Reason=%q, want OK=%v Reason=%q", got.OK, got.Reason, tt.wantOK, tt.wantReason)
			}
		})
	}
}

// TestHTTPBodyCap puts the needle right at the edge of the cap: a needle
// ending on the last byte read is found, one byte further is not.
func TestHTTPBodyCap(t *testing.T) {
	const needle = "NEEDLE"
	tests := []struct {
		name    string
		maxBody int64
		padding int
		wantOK  bool
	}{
		{"ends on last byte", 100, 100 - len(needle), true},
		{"one byte past cap", 100, 100 - len(needle) + 1, false},
		{"default cap, ends on last byte", 0, DefaultMaxBody - len(needle), true},
		{"default cap, one byte past", 0, DefaultMaxBody - len(needle) + 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.Repeat("x", tt.padding) + needle + strings.Repeat("y", 1000)
			srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, body)
			}))
			ap := listenerAddr(t, srv.Listener)
			h := &HTTP{URL: urlFor("http", ap, "/"), BodyContains: needle, MaxBody: tt.maxBody}
			got := h.Probe(testCtx(t), ap.Addr())
			if got.OK != tt.wantOK {
				t.Errorf("got OK=%v Reason=%q, want OK=%v", got.OK, got.Reason, tt.wantOK)
			}
		})
	}
}

// TestHTTPEndlessBodyIsNotReadToTheEnd serves a body that never ends: the
// probe must stop at the cap, return, and close the connection.
func TestHTTPEndlessBodyIsNotReadToTheEnd(t *testing.T) {
	handlerDone := make(chan struct{})
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(handlerDone)
		chunk := []byte(strings.Repeat("ok ", 1024))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return // the client hung up, as it should
			}
		}
	}))
	ap := listenerAddr(t, srv.Listener)
	h := &HTTP{URL: urlFor("http", ap, "/"), BodyContains: "ok", MaxBody: 4096}
	checkResult(t, h.Probe(testCtx(t), ap.Addr()), true, "HTTP 200")
	waitFor(t, handlerDone, "the server to see the client hang up")
}

func TestHTTPHostHeader(t *testing.T) {
	tests := []struct {
		name     string
		host     string
		wantHost func(port string) string
	}{
		{"none sends the address", "", func(port string) string { return "127.0.0.1:" + port }},
		{"name", "www.example.com", func(string) string { return "www.example.com" }},
		{"name and port", "www.example.com:8080", func(string) string { return "www.example.com:8080" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := make(chan string, 1)
			srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen <- r.Host
			}))
			ap := listenerAddr(t, srv.Listener)
			h := &HTTP{URL: urlFor("http", ap, "/"), Host: tt.host}
			checkResult(t, h.Probe(testCtx(t), ap.Addr()), true, "HTTP 200")
			if got, want := <-seen, tt.wantHost(strconv.Itoa(int(ap.Port()))); got != want {
				t.Errorf("server saw Host %q, want %q", got, want)
			}
		})
	}
}

func TestHTTPRedirectNotFollowed(t *testing.T) {
	tests := []struct {
		name       string
		expect     []int
		wantOK     bool
		wantReason string
	}{
		{"301 is not 2xx", nil, false, "HTTP 301 (want 2xx)"},
		{"301 expected", []int{301}, true, "HTTP 301"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var followed atomic.Int32
			mux := http.NewServeMux()
			mux.Handle("/index.html", http.RedirectHandler("/moved", http.StatusMovedPermanently))
			mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { followed.Add(1) })
			srv := startServer(t, mux)
			ap := listenerAddr(t, srv.Listener)
			h := &HTTP{URL: urlFor("http", ap, "/index.html"), ExpectStatus: tt.expect}
			got := h.Probe(testCtx(t), ap.Addr())
			if got.OK != tt.wantOK || got.Reason != tt.wantReason {
				t.Errorf("got OK=%v Reason=%q, want OK=%v Reason=%q", got.OK, got.Reason, tt.wantOK, tt.wantReason)
			}
			if n := followed.Load(); n != 0 {
				t.Errorf("redirect target was requested %d times, want 0", n)
			}
		})
	}
}

// TestHTTPFreshConnectionPerProbe proves no connection is pooled: each probe
// opens its own, and each is closed when its probe returns.
func TestHTTPFreshConnectionPerProbe(t *testing.T) {
	const probes = 3
	var mu sync.Mutex
	opened, closed := 0, 0
	allClosed := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		switch state {
		case http.StateNew:
			opened++
		case http.StateClosed, http.StateHijacked:
			closed++
			if closed == probes {
				close(allClosed)
			}
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	ap := listenerAddr(t, srv.Listener)
	h := &HTTP{URL: urlFor("http", ap, "/")}
	for range probes {
		checkResult(t, h.Probe(testCtx(t), ap.Addr()), true, "HTTP 200")
	}
	waitFor(t, allClosed, "every probe connection to close")
	mu.Lock()
	defer mu.Unlock()
	if opened != probes {
		t.Errorf("server saw %d connections for %d probes, want one each", opened, probes)
	}
}
