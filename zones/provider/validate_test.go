package provider

import (
	"strings"
	"testing"
	"time"
)

func validConfig() Config {
	return Config{
		Name: "cloudflare-example", Kind: Cloudflare, Zone: "example.com", Token: "t",
		Records: []Record{{Name: "www", Type: "A", Service: "web", TTL: 60 * time.Second}},
	}
}

func validRFC2136() Config {
	return Config{
		Name: "bind-example", Kind: RFC2136, Zone: "example.com", Server: "127.0.0.1:5353",
		Key:     &TSIGKey{Name: "zonerw", Algorithm: "hmac-sha256", Secret: "c2VjcmV0"},
		Records: []Record{{Name: "www", Type: "A", Service: "web", TTL: 60 * time.Second}},
	}
}

func TestValidateAccepts(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Config)
	}{
		{"minimal", func(*Config) {}},
		{"cloudflare automatic ttl", func(c *Config) { c.Records[0].TTL = time.Second }},
		{"cloudflare max ttl", func(c *Config) { c.Records[0].TTL = 86400 * time.Second }},
		{"default ttl", func(c *Config) { c.Records[0].TTL = 0 }},
		{"gandi min ttl", func(c *Config) { c.Kind, c.Records[0].TTL = Gandi, 300*time.Second }},
		{"gandi max ttl", func(c *Config) { c.Kind, c.Records[0].TTL = Gandi, 2592000*time.Second }},
		{"apex aaaa lower case", func(c *Config) { c.Records[0].Name, c.Records[0].Type = "@", "aaaa" }},
		{"gandi sandbox", func(c *Config) {
			c.Kind, c.APIURL, c.Records[0].TTL = Gandi, "https://api.sandbox.gandi.net/v5/livedns", 0
		}},
		{"loopback http", func(c *Config) { c.APIURL = "http://127.0.0.1:8080/client/v4" }},
		{"report", func(c *Config) { c.OnDrift = DriftReport }},
		{"zone with dot", func(c *Config) { c.Zone = "example.com." }},
		{"rfc2136", func(c *Config) { *c = validRFC2136() }},
		{"rfc2136 ipv6 server, any ttl", func(c *Config) {
			*c = validRFC2136()
			c.Server, c.Records[0].TTL = "[::1]:5353", 7*24*time.Hour
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig()
			tc.change(&c)
			if err := c.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func TestValidateRejects(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"cloudflare ttl too low", func(c *Config) { c.Records[0].TTL = 30 * time.Second },
			"records[0].ttl: 30s is below Cloudflare's minimum of 60s (or 1s for automatic)"},
		{"cloudflare ttl too high", func(c *Config) { c.Records[0].TTL = 48 * time.Hour },
			"records[0].ttl: 48h0m0s is above Cloudflare's maximum of 86400s"},
		{"gandi ttl too low", func(c *Config) { c.Kind, c.Records[0].TTL = Gandi, 60*time.Second },
			"records[0].ttl: 1m0s is below Gandi's minimum of 300s"},
		{"gandi automatic is not a thing", func(c *Config) { c.Kind, c.Records[0].TTL = Gandi, time.Second },
			"records[0].ttl: 1s is below Gandi's minimum of 300s"},
		{"gandi ttl too high", func(c *Config) { c.Kind, c.Records[0].TTL = Gandi, 31*24*time.Hour },
			"records[0].ttl: 744h0m0s is above Gandi's maximum of 2592000s"},
		{"fractional ttl", func(c *Config) { c.Records[0].TTL = 90500 * time.Millisecond },
			"records[0].ttl: 1m30.5s is not a whole number of seconds"},
		{"unknown kind", func(c *Config) { c.Kind = "route53" },
			`type: "route53" is not a supported provider (cloudflare, gandi, rfc2136)`},
		{"rfc2136 without server or key", func(c *Config) { c.Kind, c.Token = RFC2136, "" },
			"server: is required: the primary's \"ADDR:PORT\"\nkey: is required: the TSIG key that signs the updates"},
		{"rfc2136 bad server", func(c *Config) { *c = validRFC2136(); c.Server = "127.0.0.1" },
			`server: "127.0.0.1" is not ADDR:PORT (an IPv6 address goes in brackets: "[2001:db8::1]:53")`},
		{"rfc2136 bad port", func(c *Config) { *c = validRFC2136(); c.Server = "127.0.0.1:70000" },
			`server: "127.0.0.1:70000": the port must be a number from 1 to 65535`},
		{"rfc2136 bad algorithm", func(c *Config) { *c = validRFC2136(); c.Key.Algorithm = "hmac-md5" },
			`key: algorithm "hmac-md5" is not one of hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512`},
		{"rfc2136 with a token and api_url", func(c *Config) { *c = validRFC2136(); c.Token, c.APIURL = "t", "https://x" },
			"token: rfc2136 signs with a TSIG key (key), not a token\napi_url: is for cloudflare and gandi; rfc2136 takes server"},
		{"cloudflare with server and key", func(c *Config) { c.Server, c.Key = "127.0.0.1:53", validRFC2136().Key },
			"server: is for type rfc2136; cloudflare takes api_url\nkey: is for type rfc2136; cloudflare takes a token"},
		{"rfc2136 ttl too high", func(c *Config) { *c = validRFC2136(); c.Records[0].TTL = 2147483648 * time.Second },
			"records[0].ttl: 596523h14m8s is above RFC 2181's maximum of 2147483647s"},
		{"no name", func(c *Config) { c.Name = "" }, "name: is empty"},
		{"no zone", func(c *Config) { c.Zone = "" }, "zone: is empty"},
		{"bad zone", func(c *Config) { c.Zone = "exa mple..com" }, `zone: "exa mple..com" is not a domain name`},
		{"no token", func(c *Config) { c.Token = "" }, "token: is empty: the token file or environment variable gave nothing"},
		{"plain http to the internet", func(c *Config) { c.APIURL = "http://api.cloudflare.com/client/v4" },
			`api_url: "http://api.cloudflare.com/client/v4" uses plain http for a host that is not loopback; the token would travel in clear`},
		{"relative api url", func(c *Config) { c.APIURL = "/client/v4" }, `api_url: "/client/v4" is not an absolute http(s) URL`},
		{"bad on_drift", func(c *Config) { c.OnDrift = "ignore" }, `on_drift: "ignore" is neither "fix" nor "report"`},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, "timeout: -1s is negative"},
		{"no records", func(c *Config) { c.Records = nil }, "records: none given; a provider needs at least one record to publish"},
		{"absolute record name", func(c *Config) { c.Records[0].Name = "www.example.com." },
			`records[0].name: "www.example.com." is absolute; give it relative to the zone ("@" for the apex)`},
		{"empty record name", func(c *Config) { c.Records[0].Name = "" }, `records[0].name: is empty (use "@" for the apex)`},
		{"cname", func(c *Config) { c.Records[0].Type = "CNAME" }, `records[0].type: "CNAME" is not A or AAAA`},
		{"no service", func(c *Config) { c.Records[0].Service = "" }, "records[0].service: is empty"},
		{"duplicate", func(c *Config) { c.Records = append(c.Records, Record{Name: "WWW", Type: "a", Service: "web"}) },
			"records[1]: WWW a is already published by records[0]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig()
			tc.change(&c)
			err := c.Validate()
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Validate: %v\nwant:      %s", err, tc.want)
			}
		})
	}
}

func TestValidateNeverShowsTheToken(t *testing.T) {
	c := validConfig()
	c.Token = "s3cr3t-token-value"
	c.Kind, c.Zone, c.Records[0].TTL = "bad", "", time.Millisecond
	if err := c.Validate(); err == nil || strings.Contains(err.Error(), c.Token) {
		t.Fatalf("Validate: %v", err)
	}
}

func TestNormalizedFillsDefaults(t *testing.T) {
	c := validConfig()
	c.Kind, c.Zone = Gandi, "Example.COM"
	c.Records = []Record{{Name: "WWW", Type: "aaaa", Service: "web"}}
	n := c.normalized()
	got := []any{n.Zone, n.OnDrift, n.Timeout, n.Records[0].Name, n.Records[0].Type, n.Records[0].TTL}
	want := []any{"example.com.", DriftFix, DefaultTimeout, "www", "AAAA", 300 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("normalized field %d = %v, want %v", i, got[i], want[i])
		}
	}
	if c.Records[0].Name != "WWW" {
		t.Errorf("normalized changed the caller's records")
	}
}
