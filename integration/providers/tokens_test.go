package providers

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/zonerw/zonerw/zones/provider"
)

// credential is how the messages name the rig's token for a kind.
func credential(k provider.Kind) string {
	if k == provider.Gandi {
		return "the personal access token from " + tokenSource
	}
	return "the API token from " + tokenSource
}

// seeded is e with www A on main.
func seeded(e emulator) emulator {
	e.seed("www", "A", main4.String())
	return e
}

// Token problems give one clear error that names where the token came
// from and what is wrong, classified so a caller can back off, and are
// not retried within the publish.
func TestTokenProblemsAreClassified(t *testing.T) {
	type setup func(t *testing.T) (emulator, func())
	cases := []struct {
		name    string
		kind    provider.Kind
		setup   setup
		failure provider.Failure
		want    string // the whole message after "KIND-example: "
	}{
		{"cloudflare token revoked after a publish", provider.Cloudflare, func(t *testing.T) (emulator, func()) {
			e := newCloudflare(t)
			return e, func() { e.(cfEmulator).RevokeToken(goodToken) }
		}, provider.FailureCredentials, "the API token from " + tokenSource + " was refused (HTTP 403): it is wrong, expired or revoked"},
		{"gandi token revoked after a publish", provider.Gandi, func(t *testing.T) (emulator, func()) {
			e := newGandi(t)
			return e, func() { e.(gandiEmulator).RevokeToken(goodToken) }
		}, provider.FailureCredentials, "the personal access token from " + tokenSource + " was refused (HTTP 403): it is wrong, expired or revoked"},
		{"cloudflare token that may only read", provider.Cloudflare, func(t *testing.T) (emulator, func()) {
			c := NewCloudflare(t)
			c.AddToken(goodToken, CFToken{ZoneRead: true, DNSRead: true})
			c.AddZone(zone)
			return seeded(cfEmulator{c}), nil
		}, provider.FailurePermission, "the API token from " + tokenSource + " is valid but may not edit the records of zone example.com. " +
			"(HTTP 403 on PATCH): give it DNS Edit for this zone"},
		{"cloudflare token without DNS Read", provider.Cloudflare, func(t *testing.T) (emulator, func()) {
			c := NewCloudflare(t)
			c.AddToken(goodToken, CFToken{ZoneRead: true})
			c.AddZone(zone)
			return seeded(cfEmulator{c}), nil
		}, provider.FailurePermission, "the API token from " + tokenSource + " is valid but may not read the records of zone example.com. " +
			"(HTTP 403 on GET): give it DNS Read for this zone"},
		{"gandi token that may only read", provider.Gandi, func(t *testing.T) (emulator, func()) {
			g := NewGandi(t)
			g.AddReadOnlyToken(goodToken)
			g.AddDomain(zone)
			return seeded(gandiEmulator{g}), nil
		}, provider.FailurePermission, "the personal access token from " + tokenSource + " is valid but may not edit the records of zone example.com. " +
			"(HTTP 403 on PUT): give it the permission to manage the domain's technical configuration (DNS records) for this zone"},
		{"cloudflare token for another zone", provider.Cloudflare, func(t *testing.T) (emulator, func()) {
			c := NewCloudflare(t)
			c.AddToken(goodToken, CFToken{ZoneRead: true, DNSWrite: true, Zones: []string{"example.net"}})
			c.AddZone(zone)
			c.AddZone("example.net")
			return seeded(cfEmulator{c}), nil
		}, provider.FailureZoneMissing, "zone example.com. is not at Cloudflare (URL): it is not in the account, or " +
			"the API token from " + tokenSource + " cannot see it (it needs Zone Read on this zone)"},
		{"gandi token for another domain", provider.Gandi, func(t *testing.T) (emulator, func()) {
			g := NewGandi(t)
			g.AddToken(goodToken, "example.net")
			g.AddDomain(zone)
			return seeded(gandiEmulator{g}), nil
		}, provider.FailureZoneMissing, "domain example.com. is not at Gandi LiveDNS (URL): it is not in the organisation, or " +
			"the personal access token from " + tokenSource + " is not allowed on it"},
		{"cloudflare zone that does not exist", provider.Cloudflare, func(t *testing.T) (emulator, func()) {
			c := NewCloudflare(t)
			c.AddToken(goodToken, CFToken{ZoneRead: true, DNSWrite: true})
			c.AddZone("example.net") // and no example.com to seed
			return cfEmulator{c}, nil
		}, provider.FailureZoneMissing, "zone example.com. is not at Cloudflare (URL): it is not in the account, or " +
			"the API token from " + tokenSource + " cannot see it (it needs Zone Read on this zone)"},
		{"cloudflare token refused with 200 and success false", provider.Cloudflare, func(t *testing.T) (emulator, func()) {
			e := newCloudflare(t)
			e.Inject(Fault{Method: "GET", PathPrefix: "/client/v4/zones", Status: 200, Times: -1,
				Body: `{"success":false,"errors":[{"code":1000,"message":"Invalid API Token"}],"messages":[],"result":null}`})
			return e, nil
		}, provider.FailureCredentials, "the API token from " + tokenSource + " was refused (HTTP 200 with error 1000): it is wrong, expired or revoked"},
		{"cloudflare zone deleted after the lookup", provider.Cloudflare, func(t *testing.T) (emulator, func()) {
			e := newCloudflare(t)
			return e, func() { e.(cfEmulator).RemoveZone(zone) }
		}, provider.FailureZoneMissing, "zone example.com. is not at Cloudflare (URL): it is not in the account, or " +
			"the API token from " + tokenSource + " cannot see it (it needs Zone Read on this zone)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, between := tc.setup(t)
			if between != nil { // a publish that works, then the change
				e.seed("www", "A", main4.String())
				e.seed("@", "AAAA", main6.String())
			}
			r := newRig(t, tc.kind, e, nil)
			if between != nil {
				r.publish(t, onMain)
				between()
			}
			before := len(e.Requests())
			err := r.pub.Publish(context.Background(), onBkup)
			want := string(tc.kind) + "-example: " + strings.ReplaceAll(tc.want, "(URL)", "("+e.URL()+")")
			if err == nil || err.Error() != want {
				t.Fatalf("error\n %v\nwant\n %s", err, want)
			}
			if f := provider.Classify(err); f != tc.failure || !f.Permanent() {
				t.Errorf("Classify = %s, want %s", f, tc.failure)
			}
			sentinel := map[provider.Failure]error{provider.FailureCredentials: provider.ErrTokenRefused,
				provider.FailurePermission: provider.ErrPermission, provider.FailureZoneMissing: provider.ErrZoneMissing}[tc.failure]
			if !errors.Is(err, sentinel) {
				t.Errorf("errors.Is(err, %v) is false", sentinel)
			}
			if len(r.slept()) != 0 {
				t.Errorf("waits %v: a %s failure must not be retried within the publish", r.slept(), tc.failure)
			}
			// At most: the lookup, the list, the library's own GET before
			// its write, the write, and the lookup that tells a refused
			// token from a missing permission.
			if n := len(e.Requests()) - before; n > 5 {
				t.Errorf("%d requests for one failing publish", n)
			}
			if st := r.pub.Status(); st.Failure != tc.failure.String() || st.LastError != err.Error() {
				t.Errorf("status failure %q, last error %q", st.Failure, st.LastError)
			}
		})
	}
}

// After "zone missing" the zone is looked up again: a zone that comes back
// (with a new id) is published to without restarting.
func TestCloudflareZoneComesBack(t *testing.T) {
	e := newCloudflare(t)
	c := e.(cfEmulator)
	e.seed("www", "A", main4.String())
	r := newRig(t, provider.Cloudflare, e, func(cfg *provider.Config) { cfg.Records = cfg.Records[:1] })
	r.publish(t, onMain)
	c.RemoveZone(zone)
	if err := r.pub.Publish(context.Background(), onBkup); provider.Classify(err) != provider.FailureZoneMissing {
		t.Fatalf("Publish to a deleted zone: %v", err)
	}
	c.AddZone(zone)
	r.publish(t, onBkup)
	holds(t, e, "www", "A", backup4)
}

// Errors name the URL the request went to (api_url), not the library's
// built-in https://api.cloudflare.com or https://api.gandi.net.
func TestErrorsNameTheConfiguredURL(t *testing.T) {
	for _, k := range kinds {
		t.Run(string(k.kind), func(t *testing.T) {
			e := k.emu(t)
			r := newRig(t, k.kind, e, nil)
			e.(interface{ Stop() }).Stop()
			r.stopped = true
			err := r.pub.Publish(context.Background(), onBkup)
			if err == nil {
				t.Fatal("Publish succeeded with nothing listening")
			}
			if !strings.Contains(err.Error(), e.URL()) || strings.Contains(err.Error(), "api.cloudflare.com") ||
				strings.Contains(err.Error(), "api.gandi.net") {
				t.Errorf("error %q does not name %s (or names the built-in API)", err, e.URL())
			}
			if provider.Classify(err) != provider.FailureTransient {
				t.Errorf("Classify = %s, want transient (nothing listening)", provider.Classify(err))
			}
		})
	}
}
