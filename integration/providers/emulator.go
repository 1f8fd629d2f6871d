package providers

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Request is one request as an emulator received it.
type Request struct {
	Method   string
	Host     string
	Path     string // escaped, as sent
	RawQuery string
	Auth     string // the Authorization header
	Body     string
}

// Fault is a scripted failure. Faults are tried in the order injected,
// before auth and normal handling; the first that matches answers.
type Fault struct {
	Method     string // "" matches any method
	PathPrefix string // matched against the escaped URL path; "" matches any
	Skip       int    // let this many matching requests through first
	Times      int    // how many requests it answers: 0 means 1, -1 means forever
	Status     int
	RetryAfter string // sent as Retry-After when set
	HTML       bool   // answer with an HTML error page instead of the API's JSON
	Body       string // overrides the body the emulator would write
	Hang       bool   // never answer: wait until the client gives up
}

// Change is one state of an RRset after a change, in order.
type Change struct {
	Seq    int
	Name   string   // FQDN without the trailing dot, lower case
	Type   string   // upper case
	Values []string // sorted; empty when the RRset was removed
	By     string   // the HTTP method, or "seed" / "edit" for changes made by the test
}

// core is what both emulators share: the server, the request log, the
// fault queue and the history.
type core struct {
	srv     *httptest.Server
	closing chan struct{}

	mu      sync.Mutex
	reqs    []Request
	faults  []*Fault
	history []Change
}

// start serves h on 127.0.0.1 and stops the server when the test ends.
// render writes a fault's answer in the provider's dialect.
func (c *core) start(t testing.TB, h http.Handler, render func(http.ResponseWriter, *Fault)) {
	t.Helper()
	c.closing = make(chan struct{})
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.logRequest(r)
		if f := c.takeFault(r); f != nil {
			if f.Hang {
				select {
				case <-r.Context().Done():
				case <-c.closing:
				}
				return
			}
			render(w, f)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		close(c.closing)
		c.srv.Close()
	})
}

func (c *core) logRequest(r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reqs = append(c.reqs, Request{
		Method: r.Method, Host: r.Host, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
		Auth: r.Header.Get("Authorization"), Body: string(body),
	})
}

func (c *core) takeFault(r *http.Request) *Fault {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, f := range c.faults {
		if (f.Method != "" && f.Method != r.Method) || !strings.HasPrefix(r.URL.EscapedPath(), f.PathPrefix) {
			continue
		}
		if f.Skip > 0 {
			f.Skip--
			continue
		}
		fired := *f
		switch {
		case f.Times < 0:
		case f.Times <= 1:
			c.faults = slices.Delete(c.faults, i, i+1)
		default:
			f.Times--
		}
		return &fired
	}
	return nil
}

// Inject queues a fault.
func (c *core) Inject(f Fault) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults = append(c.faults, &f)
}

// Requests returns the requests received so far.
func (c *core) Requests() []Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.reqs)
}

// History returns every RRset change so far.
func (c *core) History() []Change {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.history)
}

// Stop closes the server before the test ends: requests then find nothing
// listening.
func (c *core) Stop() { c.srv.Close() }

// Host is the emulator's host:port (127.0.0.1:port).
func (c *core) Host() string { return c.srv.Listener.Addr().String() }

func (c *core) record(name, typ string, values []string, by string) {
	values = slices.Clone(values)
	slices.Sort(values)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.history = append(c.history, Change{Seq: len(c.history) + 1, Name: name, Type: typ, Values: values, By: by})
}

// htmlPage is the kind of error page a proxy in front of an API returns.
func htmlPage(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	title := strconv.Itoa(status) + " " + http.StatusText(status)
	io.WriteString(w, "<html>\n<head><title>"+title+"</title></head>\n<body><center><h1>"+
		title+"</h1></center><hr><center>emulated proxy</center></body>\n</html>\n")
}
