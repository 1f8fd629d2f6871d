package providers

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zonerw/zonerw/zones/provider"
)

// writeMethod is the method that changes an RRset: Cloudflare POST (the
// multi-value case uses POST then DELETE), Gandi PUT.
func writeMethod(k provider.Kind) string {
	if k == provider.Gandi {
		return http.MethodPut
	}
	return http.MethodPost
}

// removeMethod is the method that removes an old value.
func removeMethod(k provider.Kind) string {
	if k == provider.Gandi {
		return http.MethodPut
	}
	return http.MethodDelete
}

// Rate limits, server errors and HTML error pages along the way delay the
// change but never lose it, and the record is never empty. The scenario
// starts from a two-value RRset so that the change is an addition followed
// by removals, and faults can land between them.
func TestFaultsDelayButDoNotLoseTheChange(t *testing.T) {
	cases := []struct {
		name      string
		fault     func(k provider.Kind) Fault
		wantSleep time.Duration // a wait that must have happened; 0: any backoff
	}{
		{"429 with Retry-After on the addition", func(k provider.Kind) Fault {
			return Fault{Method: writeMethod(k), Status: 429, RetryAfter: "7"}
		}, 7 * time.Second},
		{"429 without Retry-After, twice, on the first read", func(provider.Kind) Fault {
			return Fault{Method: http.MethodGet, Status: 429, Times: 2}
		}, 0},
		{"503 with a JSON body on the removal", func(k provider.Kind) Fault {
			f := Fault{Method: removeMethod(k), Status: 503, Times: 2}
			if k == provider.Gandi {
				f.Skip = 1 // the first PUT is the addition
			}
			return f
		}, 0},
		{"502 HTML page on the removal", func(k provider.Kind) Fault {
			f := Fault{Method: removeMethod(k), Status: 502, HTML: true}
			if k == provider.Gandi {
				f.Skip = 1
			}
			return f
		}, 0},
		{"500 HTML page on every read for a while", func(provider.Kind) Fault {
			return Fault{Method: http.MethodGet, Status: 500, HTML: true, Times: 3}
		}, 0},
	}
	for _, k := range kinds {
		for _, tc := range cases {
			t.Run(string(k.kind)+"/"+tc.name, func(t *testing.T) {
				e := k.emu(t)
				e.seed("www", "A", main4.String(), "192.0.2.11")
				e.seed("@", "AAAA", main6.String())
				r := newRig(t, k.kind, e, nil)
				e.Inject(tc.fault(k.kind))

				r.publish(t, onBkup)
				holds(t, e, "www", "A", backup4)
				holds(t, e, "@", "AAAA", backup6)
				neverEmpty(t, e, "www.example.com", "A")
				slept := r.slept()
				if len(slept) == 0 {
					t.Fatalf("no retry happened; the fault was not hit")
				}
				if tc.wantSleep != 0 && !slices.Contains(slept, tc.wantSleep) {
					t.Errorf("waits %v; want one of %v (the Retry-After)", slept, tc.wantSleep)
				}
				if !r.logs.contains("will retry") {
					t.Errorf("the retry was not logged:\n%s", r.logs)
				}
			})
		}
	}
}

// An HTML 5xx that never stops is reported with its status, not as the bare
// JSON decode error the libraries produce.
func TestHTMLErrorReportsStatus(t *testing.T) {
	for _, k := range kinds {
		t.Run(string(k.kind), func(t *testing.T) {
			e := k.emu(t)
			r := newRig(t, k.kind, e, nil)
			e.Inject(Fault{Status: 502, HTML: true, Times: -1})
			err := r.pub.Publish(context.Background(), onBkup)
			if err == nil {
				t.Fatal("Publish succeeded against a server that only answers 502")
			}
			for _, want := range []string{"HTTP 502 Bad Gateway (an HTML page", "gave up after 6 attempts"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if st := r.pub.Status(); st.LastError != err.Error() || !st.LastErrorAt.Equal(r.now) {
				t.Errorf("status last error %q at %v; want the returned error at %v", st.LastError, st.LastErrorAt, r.now)
			}
		})
	}
}

// Wrong credentials give one clear error at once: no retries, no secret.
func TestWrongTokenStopsWithOneClearError(t *testing.T) {
	cases := []struct {
		name   string
		kind   provider.Kind
		setup  func(t *testing.T) emulator
		status string
	}{
		{"cloudflare 403", provider.Cloudflare, newCloudflare, "403"},
		{"cloudflare 401", provider.Cloudflare, func(t *testing.T) emulator {
			e := newCloudflare(t)
			e.(cfEmulator).RefuseWith401 = true
			return e
		}, "401"},
		{"gandi 403", provider.Gandi, newGandi, "403"},
		{"gandi 401", provider.Gandi, func(t *testing.T) emulator {
			e := newGandi(t)
			e.Inject(Fault{Status: 401})
			return e
		}, "401"},
	}
	const wrong = "wrong-token-7f3a9c"
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.setup(t)
			e.seed("www", "A", main4.String())
			r := newRig(t, tc.kind, e, func(cfg *provider.Config) { cfg.Token = wrong })
			err := r.pub.Publish(context.Background(), onBkup)
			cred := "the API token"
			if tc.kind == provider.Gandi {
				cred = "the personal access token"
			}
			want := string(tc.kind) + "-example: " + cred + " from token_file /etc/zonerw/provider.token was refused (HTTP " +
				tc.status + "): it is wrong, expired or revoked"
			if err == nil || err.Error() != want {
				t.Fatalf("error %q, want %q", err, want)
			}
			if !errors.Is(err, provider.ErrTokenRefused) {
				t.Errorf("errors.Is(err, ErrTokenRefused) is false")
			}
			if n := len(e.Requests()); n != 1 || len(r.slept()) != 0 {
				t.Errorf("%d requests and waits %v; a refused token must not be retried", n, r.slept())
			}
			if strings.Contains(r.logs.String(), wrong) {
				t.Errorf("the token appears in the log")
			}
			holds(t, e, "www", "A", main4)
		})
	}
}

// A response that never comes is cut off by the per-request timeout; the
// change still goes through on the retry.
func TestHangingResponseTimesOut(t *testing.T) {
	for _, k := range kinds {
		t.Run(string(k.kind), func(t *testing.T) {
			e := k.emu(t)
			e.seed("www", "A", main4.String())
			e.seed("@", "AAAA", main6.String())
			r := newRig(t, k.kind, e, func(cfg *provider.Config) { cfg.Timeout = 300 * time.Millisecond })
			e.Inject(Fault{Method: writeMethod(k.kind), Hang: true})
			if k.kind == provider.Cloudflare {
				e.Inject(Fault{Method: http.MethodPatch, Hang: true})
			}
			r.publish(t, onBkup)
			holds(t, e, "www", "A", backup4)
			if !r.logs.contains("no response within 300ms") {
				t.Errorf("the timeout was not reported:\n%s", r.logs)
			}
		})
	}
}

// A server that never answers makes Publish fail with the timeout, after
// the attempts run out, instead of hanging.
func TestHangingForeverFails(t *testing.T) {
	for _, k := range kinds {
		t.Run(string(k.kind), func(t *testing.T) {
			e := k.emu(t)
			r := newRig(t, k.kind, e, func(cfg *provider.Config) { cfg.Timeout = 100 * time.Millisecond })
			e.Inject(Fault{Hang: true, Times: -1})
			err := r.pub.Publish(context.Background(), onBkup)
			if err == nil || !strings.Contains(err.Error(), "no response within 100ms") {
				t.Fatalf("error %v; want one naming the 100ms timeout", err)
			}
		})
	}
}

// Cloudflare: a token that cannot read zones gets an empty zone list
// (libdns says "expected 1 zone, got 0"): the zone is reported missing or
// out of the token's sight, once, without retries.
func TestCloudflareTokenWithoutZoneRead(t *testing.T) {
	c := NewCloudflare(t)
	c.AddToken(goodToken, CFToken{DNSWrite: true, Zones: []string{zone}})
	c.AddZone(zone)
	r := newRig(t, provider.Cloudflare, cfEmulator{c}, nil)
	err := r.pub.Publish(context.Background(), onBkup)
	want := "cloudflare-example: zone example.com. is not at Cloudflare (" + c.URL() + "): it is not in the account, " +
		"or the API token from token_file /etc/zonerw/provider.token cannot see it (it needs Zone Read on this zone)"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v\nwant  %s", err, want)
	}
	if f := provider.Classify(err); f != provider.FailureZoneMissing || !errors.Is(err, provider.ErrZoneMissing) {
		t.Errorf("Classify = %s, want zone_missing", f)
	}
	if n := len(c.Requests()); n != 1 {
		t.Errorf("%d requests; want the one zone lookup, not retried", n)
	}
}
