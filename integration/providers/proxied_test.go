package providers

import (
	"context"
	"encoding/json"
	"net/netip"
	"slices"
	"testing"

	"github.com/zonerw/zonerw/zones/provider"
)

// allProxied fails the test unless www A has exactly want, every record
// proxied.
func allProxied(t *testing.T, c *Cloudflare, want ...netip.Addr) {
	t.Helper()
	holds(t, cfEmulator{c}, "www", "A", want...)
	for _, r := range c.Records(zone, "www", "A") {
		if !r.Proxied {
			t.Errorf("www A %s is not proxied: the origin's address is public", r.Content)
		}
	}
}

// postsProxied fails the test unless every record creation asked for
// proxied (want true) or left it out (want false).
func postsProxied(t *testing.T, c *Cloudflare, want bool) {
	t.Helper()
	n := 0
	for _, r := range c.Requests() {
		if r.Method != "POST" {
			continue
		}
		n++
		var body struct {
			Proxied bool `json:"proxied"`
		}
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil || body.Proxied != want {
			t.Errorf("POST %s with proxied %v, want %v", r.Body, body.Proxied, want)
		}
	}
	if n == 0 {
		t.Errorf("no record was created; the test did not reach the case it is about")
	}
}

// A proxied name that gets a second value (all_down: all), loses one, and
// is flipped back keeps every record proxied: new values are created
// proxied, like the records beside them.
func TestCloudflareProxiedThroughAllDownAll(t *testing.T) {
	c := NewCloudflare(t)
	c.AddToken(goodToken, CFToken{ZoneRead: true, DNSWrite: true})
	c.AddZone(zone)
	c.Seed(zone, "www", "A", main4.String(), 1, true)
	r := newRig(t, provider.Cloudflare, cfEmulator{c}, func(cfg *provider.Config) { cfg.Records = cfg.Records[:1] })

	both := map[string][]netip.Addr{"web": {main4, backup4}}
	lines, err := r.pub.Plan(context.Background(), both)
	want := "www.example.com. A: adding 198.51.100.20, proxied like the records beside it (POST dns_records with proxied true (ttl automatic))"
	if err != nil || !slices.Contains(lines, want) {
		t.Errorf("plan %q (err %v) lacks %q", lines, err, want)
	}
	r.publish(t, both)
	allProxied(t, c, main4, backup4)
	r.publish(t, onBkup)
	allProxied(t, c, backup4)
	r.publish(t, onMain)
	allProxied(t, c, main4)
	postsProxied(t, c, true)
	neverEmpty(t, cfEmulator{c}, "www.example.com", "A")
	if st := r.pub.Status(); !st.Records[0].Proxied {
		t.Errorf("status does not say www A is proxied: %+v", st.Records[0])
	}
}

// Two proxied records replaced by one new value: the new one is proxied
// before the old ones go.
func TestCloudflareProxiedMultiValueReplaced(t *testing.T) {
	c := NewCloudflare(t)
	c.AddToken(goodToken, CFToken{ZoneRead: true, DNSWrite: true})
	c.AddZone(zone)
	c.Seed(zone, "www", "A", main4.String(), 1, true)
	c.Seed(zone, "www", "A", "192.0.2.11", 1, true)
	r := newRig(t, provider.Cloudflare, cfEmulator{c}, func(cfg *provider.Config) { cfg.Records = cfg.Records[:1] })
	r.publish(t, onBkup)
	allProxied(t, c, backup4)
	postsProxied(t, c, true)
	neverEmpty(t, cfEmulator{c}, "www.example.com", "A")
}

// An unproxied name stays unproxied: nothing is proxied that was not.
func TestCloudflareUnproxiedStaysUnproxied(t *testing.T) {
	c := NewCloudflare(t)
	c.AddToken(goodToken, CFToken{ZoneRead: true, DNSWrite: true})
	c.AddZone(zone)
	c.Seed(zone, "www", "A", main4.String(), 60, false)
	r := newRig(t, provider.Cloudflare, cfEmulator{c}, func(cfg *provider.Config) { cfg.Records = cfg.Records[:1] })
	r.publish(t, map[string][]netip.Addr{"web": {main4, backup4}})
	postsProxied(t, c, false)
	for _, rec := range c.Records(zone, "www", "A") {
		if rec.Proxied || rec.TTL != 60 {
			t.Errorf("www A %s: proxied %v, ttl %d; want unproxied with the configured 60", rec.Content, rec.Proxied, rec.TTL)
		}
	}
}
