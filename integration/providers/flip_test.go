package providers

import (
	"testing"

	"github.com/zonerw/zonerw/zones/provider"
)

// The main server goes down, then comes back: each time the records end up
// holding exactly the active address, and were never empty on the way.
func TestFlipToBackupAndBack(t *testing.T) {
	for _, k := range kinds {
		t.Run(string(k.kind), func(t *testing.T) {
			e := k.emu(t)
			e.seed("www", "A", main4.String())
			e.seed("@", "AAAA", main6.String())
			r := newRig(t, k.kind, e, nil)

			r.publish(t, onBkup)
			holds(t, e, "www", "A", backup4)
			holds(t, e, "@", "AAAA", backup6)

			r.publish(t, onMain)
			holds(t, e, "www", "A", main4)
			holds(t, e, "@", "AAAA", main6)

			neverEmpty(t, e, "www.example.com", "A")
			neverEmpty(t, e, "example.com", "AAAA")
			if n := methods(e)["DELETE"]; n != 0 {
				t.Errorf("%d DELETE requests; a flip must never delete a record", n)
			}
			st := r.pub.Status()
			if !st.LastSuccess.Equal(r.now) || st.LastError != "" {
				t.Errorf("status: last success %v, last error %q; want %v and none", st.LastSuccess, st.LastError, r.now)
			}
			for _, rec := range st.Records {
				if !rec.InSync() {
					t.Errorf("status: %s %s live %v, want %v", rec.Name, rec.Type, rec.Live, rec.Want)
				}
			}
		})
	}
}

// A second Publish of the same decision reads the zone and changes nothing.
func TestPublishUnchangedMakesNoWrites(t *testing.T) {
	for _, k := range kinds {
		t.Run(string(k.kind), func(t *testing.T) {
			e := k.emu(t)
			e.seed("www", "A", main4.String())
			e.seed("@", "AAAA", main6.String())
			r := newRig(t, k.kind, e, nil)
			r.publish(t, onMain)
			for m, n := range methods(e) {
				if m != "GET" {
					t.Errorf("%d %s requests for a decision the provider already holds", n, m)
				}
			}
		})
	}
}

// A multi-value RRset (which libdns/cloudflare SetRecords refuses) becomes
// exactly the one active address; Gandi's append-only SetRecords would
// have kept the old values.
func TestMultiValueRRsetBecomesExact(t *testing.T) {
	for _, k := range kinds {
		t.Run(string(k.kind), func(t *testing.T) {
			e := k.emu(t)
			e.seed("www", "A", main4.String(), "192.0.2.11")
			e.seed("@", "AAAA", main6.String())
			r := newRig(t, k.kind, e, nil)
			r.publish(t, onBkup)
			holds(t, e, "www", "A", backup4)
			neverEmpty(t, e, "www.example.com", "A")
		})
	}
}

// A record that does not exist yet is created (Gandi: GET answers 404 with
// "code":404, then PUT; Cloudflare: POST).
func TestMissingRecordIsCreated(t *testing.T) {
	for _, k := range kinds {
		t.Run(string(k.kind), func(t *testing.T) {
			e := k.emu(t)
			r := newRig(t, k.kind, e, nil)
			r.publish(t, onMain)
			holds(t, e, "www", "A", main4)
			holds(t, e, "@", "AAAA", main6)
		})
	}
}

// Cloudflare: the flip is one PATCH of the existing record, which keeps its
// id and its proxied state (a POST would create an unproxied record).
func TestCloudflareFlipKeepsProxied(t *testing.T) {
	c := NewCloudflare(t)
	c.AddToken(goodToken, CFToken{ZoneRead: true, DNSWrite: true})
	c.AddZone(zone)
	id := c.Seed(zone, "www", "A", main4.String(), 1, true)
	r := newRig(t, provider.Cloudflare, cfEmulator{c}, func(cfg *provider.Config) { cfg.Records = cfg.Records[:1] })
	r.publish(t, onBkup)
	recs := c.Records(zone, "www", "A")
	if len(recs) != 1 || recs[0].ID != id || !recs[0].Proxied || recs[0].Content != backup4.String() {
		t.Fatalf("records after the flip: %+v; want the same record %s, proxied, holding %s", recs, id, backup4)
	}
	if n := methods(cfEmulator{c}); n["PATCH"] != 1 || n["POST"] != 0 || n["DELETE"] != 0 {
		t.Errorf("requests by method %v; want exactly one PATCH and no POST or DELETE", n)
	}
}

// Cloudflare: a zone of several pages is read whole (the emulator pages by
// 100 and always sends result_info, without which libdns panics).
func TestCloudflareReadsEveryPage(t *testing.T) {
	c := NewCloudflare(t)
	c.AddToken(goodToken, CFToken{ZoneRead: true, DNSWrite: true})
	c.AddZone(zone)
	for i := range 150 {
		c.Seed(zone, "host"+string(rune('a'+i%26))+string(rune('a'+i/26)), "TXT", "filler", 60, false)
	}
	c.Seed(zone, "www", "A", main4.String(), 60, false) // the 151st record: on page 2
	r := newRig(t, provider.Cloudflare, cfEmulator{c}, func(cfg *provider.Config) { cfg.Records = cfg.Records[:1] })
	r.publish(t, onMain)
	if n := methods(cfEmulator{c}); n["POST"] != 0 || n["PATCH"] != 0 {
		t.Errorf("requests by method %v: the record on page 2 was not seen", n)
	}
}

// Gandi: the TTL sent with the new value is the configured one, and hrefs
// that point at the sandbox's own host (not api.gandi.net) are followed.
func TestGandiTTLAndSandboxHrefs(t *testing.T) {
	g := NewGandi(t)
	g.AddToken(goodToken, zone)
	g.AddDomain(zone)
	g.PublicBase = g.URL()
	g.Seed(zone, "www", "A", 10800, main4.String())
	r := newRig(t, provider.Gandi, gandiEmulator{g}, func(cfg *provider.Config) {
		cfg.Records = []provider.Record{{Name: "www", Type: "A", Service: "web", TTL: 600e9}}
	})
	r.publish(t, onBkup)
	holds(t, gandiEmulator{g}, "www", "A", backup4)
	if ttl := g.TTL(zone, "www", "A"); ttl != 600 {
		t.Errorf("rrset_ttl %d, want 600", ttl)
	}
}
