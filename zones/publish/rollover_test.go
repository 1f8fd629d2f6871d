package publish

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/dnssec"
	"github.com/zonerw/zonerw/zones/store"
)

// keysOf are the DNSKEYs of v by tag, and the tags of the keys whose CDS v
// publishes.
func keysOf(v *zones.Version) (map[uint16]*dns.DNSKEY, []uint16) {
	out := map[uint16]*dns.DNSKEY{}
	if s, ok := v.Apex().RRset(dns.TypeDNSKEY); ok {
		for _, rr := range s.Records(v.Origin()) {
			k := rr.(*dns.DNSKEY)
			out[k.KeyTag()] = k
		}
	}
	var cds []uint16
	if s, ok := v.Apex().RRset(dns.TypeCDS); ok {
		for _, rr := range s.Records(v.Origin()) {
			cds = append(cds, rr.(*dns.CDS).KeyTag)
		}
	}
	return out, cds
}

// signerTags are the tags of the keys that sign v's RRsets of type t.
func signerTags(v *zones.Version, t uint16) []uint16 {
	var out []uint16
	v.Each(func(name []byte, n zones.Node) bool {
		if s, ok := n.RRset(dns.TypeRRSIG); ok {
			for _, rr := range s.Records(zones.WireNameText(name)) {
				if sig := rr.(*dns.RRSIG); sig.TypeCovered == t && !slices.Contains(out, sig.KeyTag) {
					out = append(out, sig.KeyTag)
				}
			}
		}
		return true
	})
	slices.Sort(out)
	return out
}

// rollHarness drives a signed zone's pipeline and keys under a fake clock.
type rollHarness struct {
	t    *testing.T
	c    *fakeClock
	p    *Pipeline
	k    *dnssec.Keeper
	zone string
	ds   dnssec.DSLookup
	prev *zones.Version
}

func newRollHarness(t *testing.T, pol dnssec.Policy) *rollHarness {
	c := newFakeClock(now)
	z, k := signedZone(t, tmplText, pol, c)
	st, err := store.Open(t.TempDir(), 0, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	p := New(Config{Store: st, Now: c.now})
	p.AddZone(z.Name, ZoneState{})
	apply(t, p, z, onMain(), false)
	return &rollHarness{t: t, c: c, p: p, k: k, zone: z.Name, prev: p.Current(z.Name)}
}

// step moves the clock by d, takes the rollover steps due and signs the
// zone again. Every version must validate for a resolver that still holds
// the previous version's DNSKEY RRset: its zone data signed by a key
// both publish (pre-publication), its own DNSKEY RRset valid.
func (h *rollHarness) step(d time.Duration) []string {
	h.t.Helper()
	h.c.set(h.c.now().Add(d))
	steps, err := h.k.Advance(context.Background(), h.c.now(), h.ds)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, s := range steps {
		out = append(out, s.What)
	}
	for _, ch := range h.p.Resign(h.c.now()) {
		if ch.Err != nil {
			h.t.Fatal(ch.Err)
		}
	}
	v := h.p.Current(h.zone)
	checkValid(h.t, v, h.c.now())
	old, _ := keysOf(h.prev)
	for _, tag := range signerTags(v, dns.TypeA) {
		if old[tag] == nil {
			h.t.Errorf("after %q: zone data signed by key %d, which the previous DNSKEY RRset (cached by resolvers) lacks", out, tag)
		}
	}
	h.prev = v
	return out
}

// TestZSKRollover: ksk+zsk with a 30-day ZSK lifetime. The new ZSK is
// published first, signs once its DNSKEY has spread (the old one retired,
// still published), and the old one goes once its signatures have expired
// from caches; at no step does a resolver holding the last DNSKEY RRset
// meet a signature it cannot check.
func TestZSKRollover(t *testing.T) {
	h := newRollHarness(t, dnssec.Policy{SplitKeys: true, ZSKLifetime: 30 * 24 * time.Hour})
	keys, _ := keysOf(h.prev)
	zsk0 := signerTags(h.prev, dns.TypeA)
	if len(keys) != 2 || len(zsk0) != 1 {
		t.Fatalf("start: %d keys, ZSK %v", len(keys), zsk0)
	}
	if s := h.step(29 * 24 * time.Hour); len(s) != 0 {
		t.Fatalf("day 29: %q", s)
	}
	if s := h.step(24 * time.Hour); len(s) != 1 || !strings.Contains(s[0], "published") {
		t.Fatalf("day 30: %q, want the new ZSK published", s)
	}
	keys, _ = keysOf(h.prev)
	if len(keys) != 3 || !slices.Equal(signerTags(h.prev, dns.TypeA), zsk0) {
		t.Fatalf("pre-publication: %d keys, ZSK %v; want 3 keys, still signed by %v", len(keys), signerTags(h.prev, dns.TypeA), zsk0)
	}
	// The DNSKEY TTL (the SOA's, 3600 s) and the propagation delay (1 h).
	if s := h.step(time.Hour); len(s) != 0 {
		t.Fatalf("an hour on: %q", s)
	}
	s := h.step(time.Hour)
	if len(s) != 2 {
		t.Fatalf("two hours on: %q, want the old ZSK retired and the new active", s)
	}
	zsk1 := signerTags(h.prev, dns.TypeA)
	if keys, _ = keysOf(h.prev); len(keys) != 3 || len(zsk1) != 1 || zsk1[0] == zsk0[0] {
		t.Fatalf("new ZSK active: %d keys, ZSK %v (was %v)", len(keys), zsk1, zsk0)
	}
	// The largest TTL (3600 s) and the propagation delay later the old one goes.
	s = h.step(2 * time.Hour)
	if keys, _ = keysOf(h.prev); len(s) != 1 || len(keys) != 2 || keys[zsk0[0]] != nil {
		t.Fatalf("old ZSK removed: %q, %d keys", s, len(keys))
	}
	// And the next rollover comes 30 days after this one's activation.
	if s := h.step(29 * 24 * time.Hour); len(s) != 0 {
		t.Fatalf("29 days later: %q", s)
	}
	if s := h.step(24 * time.Hour); len(s) != 1 {
		t.Fatalf("30 days later: %q, want the next ZSK published", s)
	}
}

// fakeParent is the parent zone's DS RRset as a query sees it.
type fakeParent struct{ ds []*dns.DS }

func (f *fakeParent) lookup(context.Context, string) ([]*dns.DS, time.Duration, error) {
	return f.ds, time.Hour, nil
}

// TestCSKRollover: started by the operator, the new CSK is published,
// becomes ready (its CDS and CDNSKEY published, the DNSKEY RRset signed by
// both) once its DNSKEY has spread, and replaces the old one once the
// parent's DS (as the query sees it) names it and the old DS has left the
// caches. At every step the DNSKEY RRset is signed by a key whose DS the
// parent holds.
func TestCSKRollover(t *testing.T) {
	h := newRollHarness(t, dnssec.Policy{})
	ks, _ := h.k.Keys()
	old := ks.ForParent()
	parent := &fakeParent{ds: []*dns.DS{old.DS()}}
	h.ds = parent.lookup
	signedByParentKey := func() {
		t.Helper()
		tags := signerTags(h.prev, dns.TypeDNSKEY)
		if !slices.ContainsFunc(parent.ds, func(d *dns.DS) bool { return slices.Contains(tags, d.KeyTag) }) {
			t.Errorf("DNSKEY signed by %v, none of which the parent's DS names", tags)
		}
	}
	if _, err := h.k.StartRollover(h.c.now()); err != nil {
		t.Fatal(err)
	}
	if _, err := h.k.StartRollover(h.c.now()); err == nil {
		t.Fatal("a second rollover was started during the first")
	}
	h.step(time.Minute)
	signedByParentKey()
	keys, cds := keysOf(h.prev)
	if len(keys) != 2 || !slices.Equal(cds, []uint16{old.Tag()}) {
		t.Fatalf("published: %d keys, CDS %v", len(keys), cds)
	}
	s := h.step(2 * time.Hour)
	_, cds = keysOf(h.prev)
	var next uint16
	for tag := range keys {
		if tag != old.Tag() {
			next = tag
		}
	}
	if len(s) != 2 || !slices.Equal(cds, []uint16{next}) || len(signerTags(h.prev, dns.TypeDNSKEY)) != 2 {
		t.Fatalf("ready: %q, CDS %v, DNSKEY signed by %v", s, cds, signerTags(h.prev, dns.TypeDNSKEY))
	}
	signedByParentKey()
	// The parent has not acted yet: nothing moves, however long.
	if s := h.step(48 * time.Hour); len(s) != 0 {
		t.Fatalf("before the parent's DS: %q", s)
	}
	// The parent publishes the new DS (beside the old one, as a registry would).
	ks, _ = h.k.Keys()
	for _, k := range ks.Keys {
		if k.Tag() == next {
			parent.ds = append(parent.ds, k.DS())
		}
	}
	if s := h.step(time.Minute); len(s) != 1 || !strings.Contains(s[0], "DS names it") {
		t.Fatalf("the DS seen: %q", s)
	}
	signedByParentKey()
	s = h.step(3 * time.Hour) // the DS TTL (1 h), the propagation delay (1 h), and more
	keys, cds = keysOf(h.prev)
	if len(s) != 2 || len(keys) != 1 || keys[next] == nil || !slices.Equal(cds, []uint16{next}) {
		t.Fatalf("complete: %q, keys %v, CDS %v", s, keys, cds)
	}
	parent.ds = parent.ds[1:] // the parent drops the old DS
	signedByParentKey()
	if got := fmt.Sprint(signerTags(h.prev, dns.TypeA)); got != fmt.Sprint([]uint16{next}) {
		t.Errorf("zone data signed by %s, want the new CSK %d", got, next)
	}
}
