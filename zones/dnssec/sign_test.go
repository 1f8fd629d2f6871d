package dnssec

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

func TestSignedZoneVerifies(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Policy
	}{
		{"csk-nsec-ecdsa", Policy{}},
		{"csk-nsec3-ed25519", Policy{Algorithm: dns.ED25519, NSEC3: true}},
		{"ksk-zsk-nsec3", Policy{SplitKeys: true, NSEC3: true}},
		{"ksk-zsk-nsec", Policy{SplitKeys: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t: t0}
			s := newTestSigner(t, tc.p, c)
			sb, err := s.SignBase(compile(t, testZone, 5))
			if err != nil {
				t.Fatal(err)
			}
			v, err := sb.NewVersion(10, fill("192.0.2.1"))
			if err != nil {
				t.Fatal(err)
			}
			ldnsVerify(t, v, c.now())
			v2, err := sb.NewVersion(11, fill("192.0.2.2", "192.0.2.3"))
			if err != nil {
				t.Fatal(err)
			}
			ldnsVerify(t, v2, c.now())
		})
	}
}

func TestPrintSigned(t *testing.T) {
	c := &clock{t: t0}
	s := newTestSigner(t, Policy{NSEC3: true}, c)
	sb, err := s.SignBase(compile(t, testZone, 5))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := sb.NewVersion(10, fill("192.0.2.1"))
	t.Log(zoneText(v))
}

// soaSignatures is the signature field of each RRSIG over v's SOA.
func soaSignatures(t *testing.T, v *zones.Version) []string {
	t.Helper()
	s, ok := v.Apex().RRset(dns.TypeRRSIG)
	if !ok {
		t.Fatal("no RRSIG at the apex")
	}
	var out []string
	for _, rr := range s.Records(v.Origin()) {
		if sig := rr.(*dns.RRSIG); sig.TypeCovered == dns.TypeSOA {
			out = append(out, sig.Signature)
		}
	}
	return out
}

// An SOA signed ahead (Prepare) is the one the version with that serial
// carries, and the version verifies; any other serial, or an SOA whose
// signature made ahead is due for refresh by the time the version is
// made, is signed with the version. ECDSA signatures differ each time
// they are made, so equal signatures mean the one made ahead was used.
func TestSOASignedAhead(t *testing.T) {
	for name, p := range map[string]Policy{"ecdsa": {}, "ed25519-nsec3": {Algorithm: dns.ED25519, NSEC3: true}, "ksk+zsk": {SplitKeys: true}} {
		c := &clock{t: t0}
		s := newTestSigner(t, p, c)
		sb, err := s.SignBase(compile(t, testZone, 5))
		if err != nil {
			t.Fatal(err)
		}
		if err := sb.Prepare([]uint32{11, 12}); err != nil {
			t.Fatal(err)
		}
		ahead := map[uint32][]string{}
		for _, serial := range []uint32{11, 12} {
			sb.mu.Lock()
			sigs, ok := sb.signedAhead(sb.base.SOARRset(serial).Wire, c.now())
			sb.mu.Unlock()
			if !ok {
				t.Fatalf("%s: serial %d not signed ahead", name, serial)
			}
			for _, rr := range (zones.RRset{Type: dns.TypeRRSIG, Count: 1, Wire: sigs}).Records(sb.base.Origin()) {
				ahead[serial] = append(ahead[serial], rr.(*dns.RRSIG).Signature)
			}
		}
		v11, err := sb.NewVersion(11, fill("192.0.2.1"))
		if err != nil {
			t.Fatal(err)
		}
		if got := soaSignatures(t, v11); !slices.Equal(got, ahead[11]) {
			t.Errorf("%s: serial 11 carries %v, signed ahead %v", name, got, ahead[11])
		}
		ldnsVerify(t, v11, c.now())
		v13, err := sb.NewVersion(13, fill("192.0.2.2"))
		if err != nil {
			t.Fatal(err)
		}
		if got := soaSignatures(t, v13); len(got) == 0 || slices.Equal(got, ahead[12]) {
			t.Errorf("%s: serial 13 carries %v", name, got)
		}
		ldnsVerify(t, v13, c.now())
		// Past the refresh point of what was signed ahead (the zone's
		// own signatures are due too, but good until they expire).
		c.t = sb.Due().Add(time.Minute)
		v12, err := sb.NewVersion(12, fill("192.0.2.1"))
		if err != nil {
			t.Fatal(err)
		}
		if got := soaSignatures(t, v12); slices.Equal(got, ahead[12]) {
			t.Errorf("%s: serial 12 carries the SOA signature made ahead, due for refresh", name)
		}
		ldnsVerify(t, v12, c.now())
	}
}

// What is signed ahead is checked as it is made: signatures that do not
// verify are an error and are not kept.
func TestSOASignedAheadMustVerify(t *testing.T) {
	c := &clock{t: t0}
	sb, err := newTestSigner(t, Policy{}, c).SignBase(compile(t, testZone, 5))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := newKey("example.com.", RoleCSK, dns.ECDSAP256SHA256, 0, t0)
	sb.keys.Keys[0].signer = other.signer
	err = sb.Prepare([]uint32{2})
	if err == nil || !strings.Contains(err.Error(), "serial 2: the SOA signed ahead does not verify") {
		t.Fatalf("Prepare with a key that does not match the DNSKEY: %v", err)
	}
	if len(sb.ahead) != 0 {
		t.Errorf("%d SOA RRsets kept", len(sb.ahead))
	}
}

// A failover signed ahead (Anticipate for its records, Prepare for its
// SOA) makes no signature when it comes, and carries the ones made
// ahead; the version verifies.
func TestAnticipatedFailover(t *testing.T) {
	c := &clock{t: t0}
	sb, err := newTestSigner(t, Policy{}, c).SignBase(compile(t, testZone, 5))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.NewVersion(10, fill("192.0.2.1")); err != nil {
		t.Fatal(err)
	}
	if err := sb.Anticipate(fill("192.0.2.9")); err != nil {
		t.Fatal(err)
	}
	if err := sb.Prepare([]uint32{11}); err != nil {
		t.Fatal(err)
	}
	before := sb.SignedInline()
	v, err := sb.NewVersion(11, fill("192.0.2.9"))
	if err != nil {
		t.Fatal(err)
	}
	if n := sb.SignedInline() - before; n != 0 {
		t.Errorf("the anticipated failover signed %d RRsets itself", n)
	}
	www, _ := zones.AppendWireName(nil, "www.example.com.")
	n, _ := v.Lookup(www)
	s, _ := n.RRset(dns.TypeRRSIG)
	var got string
	for _, rr := range s.Records("www.example.com.") {
		if sig := rr.(*dns.RRSIG); sig.TypeCovered == dns.TypeA {
			got = sig.Signature
		}
	}
	sb.mu.Lock()
	set, _ := n.RRset(dns.TypeA)
	ahead, ok := sb.cachedSigs(cacheKey{string(www), dns.TypeA}, set.Wire, c.now())
	sb.mu.Unlock()
	if !ok || got == "" {
		t.Fatalf("www A: signature %q, anticipated %v", got, ok)
	}
	if want := (zones.RRset{Type: dns.TypeRRSIG, Count: 1, Wire: ahead}).Records("www.example.com.")[0].(*dns.RRSIG).Signature; got != want {
		t.Errorf("www A carries %s, anticipated %s", got, want)
	}
	ldnsVerify(t, v, c.now())
	// Not anticipated: signed on the publish path (the SOA and www A).
	before = sb.SignedInline()
	if _, err := sb.NewVersion(12, fill("192.0.2.10")); err != nil {
		t.Fatal(err)
	}
	if n := sb.SignedInline() - before; n != 2 {
		t.Errorf("a failover to an address not anticipated signed %d RRsets, want 2", n)
	}
	if err := sb.Anticipate(func(zones.Slot) ([]netip.Addr, uint32, error) { return nil, 0, nil }); err == nil {
		t.Error("Anticipate with no address to fill: no error")
	}
}
