package provider

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

func TestRewriterTarget(t *testing.T) {
	cases := []struct {
		name   string
		kind   Kind
		apiURL string
		in     string
		want   string // "" means refused
	}{
		{"cloudflare default passes", Cloudflare, "", "https://api.cloudflare.com/client/v4/zones?name=example.com.",
			"https://api.cloudflare.com/client/v4/zones?name=example.com."},
		{"cloudflare to emulator", Cloudflare, "http://127.0.0.1:9/client/v4", "https://api.cloudflare.com/client/v4/zones/abc/dns_records?page=1",
			"http://127.0.0.1:9/client/v4/zones/abc/dns_records?page=1"},
		{"gandi to sandbox", Gandi, "https://api.sandbox.gandi.net/v5/livedns", "https://api.gandi.net/v5/livedns/domains/example.com",
			"https://api.sandbox.gandi.net/v5/livedns/domains/example.com"},
		{"gandi href keeps %40", Gandi, "http://127.0.0.1:9/v5/livedns", "https://api.gandi.net/v5/livedns/domains/example.com/records/%40/A",
			"http://127.0.0.1:9/v5/livedns/domains/example.com/records/%40/A"},
		{"sandbox href to itself passes", Gandi, "https://api.sandbox.gandi.net/v5/livedns",
			"https://api.sandbox.gandi.net/v5/livedns/domains/example.com/records/www/A",
			"https://api.sandbox.gandi.net/v5/livedns/domains/example.com/records/www/A"},
		{"real host with override is refused when off its base", Gandi, "http://127.0.0.1:9/v5/livedns", "https://api.gandi.net/v4/other", ""},
		{"other host refused", Cloudflare, "", "https://evil.example/client/v4/zones", ""},
		{"scheme downgrade refused", Cloudflare, "", "http://api.cloudflare.com/client/v4/zones", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rt, err := newRewriter(tc.kind, tc.apiURL, time.Second, nil)
			if err != nil {
				t.Fatal(err)
			}
			in, _ := url.Parse(tc.in)
			got, err := rt.target(in)
			switch {
			case tc.want == "" && !errors.Is(err, errUnexpectedHost):
				t.Fatalf("target(%s) = %v, %v; want refused", tc.in, got, err)
			case tc.want != "" && (err != nil || got.String() != tc.want):
				t.Fatalf("target(%s) = %v, %v; want %s", tc.in, got, err, tc.want)
			}
		})
	}
}

// The rewriter records status, Retry-After and content type, and cuts off
// a request that gets no answer within the timeout.
func TestRewriterRecordsAndTimesOut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/client/v4/hang" {
			<-r.Context().Done()
			return
		}
		w.Header().Set("Retry-After", "9")
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	rt, err := newRewriter(Cloudflare, srv.URL+"/client/v4", 200*time.Millisecond, srv.Client().Transport)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: rt}

	ex := &exchange{}
	req, _ := http.NewRequestWithContext(withExchange(context.Background(), ex), "GET", "https://api.cloudflare.com/client/v4/zones", nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if got := ex.response(); got.status != 429 || got.retryAfter != "9" || !got.html() || got.timedOut || got.method != "GET" || got.path != "/zones" {
		t.Errorf("recorded %+v; want 429, Retry-After 9, html, no timeout", got)
	}

	req, _ = http.NewRequestWithContext(withExchange(context.Background(), ex), "GET", "https://api.cloudflare.com/client/v4/hang", nil)
	if _, err := client.Do(req); err == nil {
		t.Fatal("a hanging request returned no error")
	}
	if got := ex.response(); got.status != 0 || !got.timedOut || got.requests != 2 {
		t.Errorf("recorded %+v; want a timeout with no status on the 2nd request", got)
	}
}

// Requests made with http.DefaultClient by anyone else go through the Gandi
// hook untouched.
func TestGandiHookLeavesOtherRequestsAlone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.URL.Path)
	}))
	defer srv.Close()
	installGandiHook()
	if _, ok := http.DefaultClient.Transport.(*gandiHook); !ok {
		t.Fatalf("http.DefaultClient.Transport is %T, want the hook", http.DefaultClient.Transport)
	}
	resp, err := http.DefaultClient.Get(srv.URL + "/v5/livedns/untouched")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "/v5/livedns/untouched" {
		t.Errorf("the server saw %q", body)
	}
}
