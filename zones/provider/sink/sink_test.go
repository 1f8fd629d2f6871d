package sink

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zonerw/zonerw/templates"
	"github.com/zonerw/zonerw/zones/provider"
	"github.com/zonerw/zonerw/zones/publish"
	"github.com/zonerw/zonerw/zones/store"
)

// An API that answers 503 with Retry-After: 45 is waited 45 seconds
// every time: between the attempts of one publish, and by the provider's
// worker before the next publish (its own backoff here is 10ms at most,
// so only the server's wait can make it 45s). Issue 10 saw such a wait
// cut to about 30s.
func TestProviderRetryAfterIsWaitedInFull(t *testing.T) {
	var mu sync.Mutex
	var requests int
	var slept []time.Duration
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "45")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"success":false,"errors":[{"code":10000,"message":"overloaded"}],"messages":[],"result":null}`)
	}))
	defer srv.Close()
	sleep := func(ctx context.Context, d time.Duration) error { // instant, recorded
		mu.Lock()
		defer mu.Unlock()
		slept = append(slept, d)
		return ctx.Err()
	}
	records := []provider.Record{{Name: "www", Type: "A", Service: "web"}}
	pub, err := provider.New(provider.Config{Name: "cf", Kind: provider.Cloudflare, Zone: "example.com", Token: "x",
		APIURL: srv.URL + "/client/v4", Records: records}, slog.New(slog.DiscardHandler), time.Now, provider.WithSleep(sleep))
	if err != nil {
		t.Fatal(err)
	}
	sink := New(pub, Options{Name: "cf", Services: []string{"web"}, Mode: Daemon, Report: func(string) {}, Observe: func(string, error) {}}, State{})

	st, err := store.Open(t.TempDir(), 0, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	p := publish.New(publish.Config{Store: st, Now: func() time.Time { return now }})
	p.SetValueDestinations([]publish.NamedValueDestination{{Name: "provider:cf", Dest: sink, Timeout: time.Minute,
		Retry: publish.Retry{Initial: time.Millisecond, Max: 10 * time.Millisecond}}})
	p.Start()
	defer p.Stop(time.Second)
	p.Publish(publish.Values{Active: map[string]templates.Addrs{"web": {IPv4: []netip.Addr{netip.MustParseAddr("192.0.2.20")}}}})

	var d publish.DestinationStatus
	deadline := time.Now().Add(10 * time.Second)
	for d.Failures == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the provider's worker reported no failure within 10s")
		}
		time.Sleep(5 * time.Millisecond)
		_, vs := p.Status()
		d = vs[0]
	}
	if !strings.Contains(d.LastError, "503") {
		t.Errorf("last error %q does not name the 503", d.LastError)
	}
	if wait := d.RetryAt.Sub(d.LastErrorAt); wait != 45*time.Second {
		t.Errorf("the worker tries again %v after the failure; the server asked for 45s", wait)
	}
	mu.Lock()
	defer mu.Unlock()
	if requests != 6 || len(slept) != 5 || slices.ContainsFunc(slept, func(s time.Duration) bool { return s != 45*time.Second }) {
		t.Errorf("%d requests, waits between them %v; want 6 requests, each wait 45s", requests, slept)
	}
}

// A read-back due while a publish hangs (the API takes the write and never
// answers) returns at once instead of waiting for the publish: the daemon's
// read-back timer, and with it a reload or SIGTERM, is not held by a hung
// API.
func TestVerifyDoesNotWaitForAHungPublish(t *testing.T) {
	writing := make(chan struct{}, 1)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/zones"):
			io.WriteString(w, `{"success":true,"errors":[],"messages":[],"result":[{"id":"z1","name":"example.com"}],"result_info":{"page":1,"per_page":50,"count":1,"total_count":1,"total_pages":1}}`)
		case r.Method == http.MethodGet:
			io.WriteString(w, `{"success":true,"errors":[],"messages":[],"result":[],"result_info":{"page":1,"per_page":100,"count":0,"total_count":0,"total_pages":1}}`)
		default: // the write: hang until the test ends
			writing <- struct{}{}
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
	}))
	defer srv.Close()
	defer close(release)
	pub, err := provider.New(provider.Config{Name: "cf", Kind: provider.Cloudflare, Zone: "example.com", Token: "x",
		APIURL: srv.URL + "/client/v4", Records: []provider.Record{{Name: "www", Type: "A", Service: "web"}}, Timeout: time.Hour},
		slog.New(slog.DiscardHandler), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	sink := New(pub, Options{Name: "cf", Services: []string{"web"}, Mode: Daemon, Report: func(string) {}, Observe: func(string, error) {}},
		State{Published: map[string][]string{"web": {"192.0.2.10"}}})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	delivered := make(chan error, 1)
	go func() {
		delivered <- sink.Deliver(ctx, publish.Values{Active: map[string]templates.Addrs{"web": {IPv4: []netip.Addr{netip.MustParseAddr("192.0.2.20")}}}})
	}()
	select {
	case <-writing:
	case err := <-delivered:
		t.Fatalf("the publish returned (%v) before it reached the write", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the publish never reached the write")
	}
	verified := make(chan error, 1)
	go func() { verified <- sink.Verify(context.Background()) }()
	select {
	case err := <-verified:
		if err != nil {
			t.Errorf("Verify during a publish: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Verify waited for the hung publish")
	}
	cancel()
	<-delivered
}

// A refused token holds the provider's worker for the retry delay (a
// minute after the first failure), and while it holds, a call with the
// same addresses and credential does not reach the API; new addresses or
// a new token (a reload builds the sink with a new stamp) do.
func TestRefusedTokenHoldsUntilSomethingChanges(t *testing.T) {
	var mu sync.Mutex
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"success":false,"errors":[{"code":10000,"message":"Authentication error"}],"messages":[],"result":null}`)
	}))
	defer srv.Close()
	count := func() int { mu.Lock(); defer mu.Unlock(); return requests }
	pub, err := provider.New(provider.Config{Name: "cf", Kind: provider.Cloudflare, Zone: "example.com", Token: "x",
		APIURL: srv.URL + "/client/v4", Records: []provider.Record{{Name: "www", Type: "A", Service: "web"}}},
		slog.New(slog.DiscardHandler), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	sink := New(pub, Options{Name: "cf", Services: []string{"web"}, Stamp: "token file as it was", Mode: Daemon,
		Report: func(string) {}, Observe: func(string, error) {}}, State{})
	values := func(addr string) publish.Values {
		return publish.Values{Active: map[string]templates.Addrs{"web": {IPv4: []netip.Addr{netip.MustParseAddr(addr)}}}}
	}
	holdOf := func(err error) time.Duration {
		t.Helper()
		var h interface{ HoldFor() time.Duration }
		var ra interface{ RetryAfter() time.Duration }
		if !errors.As(err, &h) || errors.As(err, &ra) {
			t.Fatalf("error %v: want one that holds (HoldFor), not a Retry-After", err)
		}
		return h.HoldFor()
	}

	first := sink.Deliver(context.Background(), values("192.0.2.20"))
	if d := holdOf(first); d < time.Minute || d > 67*time.Second || count() != 1 {
		t.Fatalf("after the refusal: hold %v, %d requests; want about a minute, 1 request", d, count())
	}
	again := sink.Deliver(context.Background(), values("192.0.2.20"))
	if d := holdOf(again); d > time.Minute+7*time.Second || count() != 1 || again.Error() != first.Error() {
		t.Errorf("the same addresses while held: %v (hold %v), %d requests; want the same error and no request", again, d, count())
	}
	holdOf(sink.Deliver(context.Background(), values("192.0.2.30")))
	if count() != 2 {
		t.Errorf("new addresses while held: %d requests, want a second one", count())
	}
	sink.opts.Stamp = "token file replaced"
	holdOf(sink.Deliver(context.Background(), values("192.0.2.30")))
	if count() != 3 {
		t.Errorf("a new token while held: %d requests, want a third one", count())
	}
}
