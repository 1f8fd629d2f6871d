package zones

import (
	"net"
	"slices"
	"testing"

	"github.com/miekg/dns"
)

// zoneOf builds a Zone from record lines, without validation, for tests of
// code that only looks at Records.
func zoneOf(t *testing.T, lines ...string) *Zone {
	t.Helper()
	z := &Zone{Origin: "example.com."}
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			t.Fatalf("record %q: %v", l, err)
		}
		if soa, ok := rr.(*dns.SOA); ok && z.SOA == nil {
			z.SOA = soa
		}
		z.Records = append(z.Records, rr)
	}
	return z
}

// texts renders records one per element, for readable comparisons.
func texts(rrs []dns.RR) []string {
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		out = append(out, rr.String())
	}
	return out
}

const (
	soa1 = "example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2024010100 7200 3600 1209600 300"
	soa2 = "example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300"
	ns1  = "example.com. 3600 IN NS ns1.example.com."
	wwwA = "www.example.com. 300 IN A 127.0.0.10"
	wwwB = "www.example.com. 300 IN A 127.0.0.20"
	mail = "mail.example.com. 300 IN A 127.0.0.30"
)

func TestDiff(t *testing.T) {
	tests := []struct {
		name        string
		old, new    []string
		nilOld      bool
		wantDeleted []string
		wantAdded   []string
	}{
		{
			name: "identical",
			old:  []string{soa1, ns1, wwwA},
			new:  []string{soa1, ns1, wwwA},
		},
		{
			name: "record order does not matter",
			old:  []string{soa1, ns1, wwwA, mail},
			new:  []string{mail, wwwA, ns1, soa1},
		},
		{
			name: "owner case does not matter",
			old:  []string{soa1, wwwA},
			new:  []string{soa1, "WWW.Example.COM. 300 IN A 127.0.0.10"},
		},
		{
			name: "address spelling does not matter",
			old:  []string{"www.example.com. 300 IN AAAA ::1"},
			new:  []string{"www.example.com. 300 IN AAAA 0:0:0:0:0:0:0:1"},
		},
		{
			name: "duplicates count once",
			old:  []string{wwwA, wwwA},
			new:  []string{wwwA},
		},
		{
			name:        "failover changes an address and the serial",
			old:         []string{soa1, ns1, wwwA},
			new:         []string{soa2, ns1, wwwB},
			wantDeleted: []string{soa1, wwwA},
			wantAdded:   []string{soa2, wwwB},
		},
		{
			name:        "ttl is significant",
			old:         []string{wwwA},
			new:         []string{"www.example.com. 60 IN A 127.0.0.10"},
			wantDeleted: []string{wwwA},
			wantAdded:   []string{"www.example.com.\t60\tIN\tA\t127.0.0.10"},
		},
		{
			name:      "added records in canonical order: owner, then type",
			old:       []string{soa1},
			new:       []string{soa1, "www.example.com. 300 IN AAAA ::1", wwwA, mail},
			wantAdded: []string{mail, wwwA, "www.example.com. 300 IN AAAA ::1"},
		},
		{
			name:      "nil old zone",
			nilOld:    true,
			new:       []string{soa1, ns1},
			wantAdded: []string{ns1, soa1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := zoneOf(t, tt.old...)
			if tt.nilOld {
				old = nil
			}
			deleted, added := Diff(old, zoneOf(t, tt.new...))
			if got, want := texts(deleted), normalise(t, tt.wantDeleted); !slices.Equal(got, want) {
				t.Errorf("deleted:\n got %q\nwant %q", got, want)
			}
			if got, want := texts(added), normalise(t, tt.wantAdded); !slices.Equal(got, want) {
				t.Errorf("added:\n got %q\nwant %q", got, want)
			}
		})
	}
}

// normalise parses and re-prints record lines so expectations can be
// written in any spacing.
func normalise(t *testing.T, lines []string) []string {
	t.Helper()
	return texts(zoneOf(t, lines...).Records)
}

func TestDiffIsDeterministic(t *testing.T) {
	old := zoneOf(t, soa1, ns1, wwwA, mail, "a.example.com. 1 IN TXT \"x\"")
	new := zoneOf(t, soa2, ns1, wwwB, "b.example.com. 1 IN TXT \"y\"")
	firstDel, firstAdd := Diff(old, new)
	for range 20 {
		del, add := Diff(old, new)
		if !slices.Equal(texts(del), texts(firstDel)) || !slices.Equal(texts(add), texts(firstAdd)) {
			t.Fatalf("Diff order changed between calls: %q/%q then %q/%q",
				texts(firstDel), texts(firstAdd), texts(del), texts(add))
		}
	}
}

func TestDiffDoesNotModifyRecords(t *testing.T) {
	old := zoneOf(t, soa1, wwwA)
	before := texts(old.Records)
	rdlen := old.Records[1].Header().Rdlength
	Diff(old, zoneOf(t, soa2))
	if got := texts(old.Records); !slices.Equal(got, before) || old.Records[1].Header().Rdlength != rdlen {
		t.Errorf("Diff modified its input: %q -> %q", before, got)
	}
}

func TestCanonicalOrder(t *testing.T) {
	// RFC 4034 section 6.1: the apex, then each name followed by its children.
	want := []string{
		"example.com. 300 IN NS ns1.example.com.",
		"example.com. 300 IN SOA ns1.example.com. h.example.com. 1 2 3 4 5",
		"a.example.com. 300 IN A 127.0.0.1",
		"a.example.com. 300 IN A 127.0.0.2",
		"x.a.example.com. 300 IN A 127.0.0.3",
		"B.example.com. 300 IN A 127.0.0.4",
		"z.example.com. 300 IN TXT \"z\"",
	}
	shuffled := []string{want[6], want[3], want[5], want[1], want[4], want[0], want[2]}
	_, added := Diff(nil, zoneOf(t, shuffled...))
	if got := texts(added); !slices.Equal(got, normalise(t, want)) {
		t.Errorf("order:\n got %q\nwant %q", got, normalise(t, want))
	}
}

// TestDiffUnencodableRecords covers zones built by hand with a record that
// has no wire form: Diff and Digest fall back to its text.
func TestDiffUnencodableRecords(t *testing.T) {
	bad := &dns.A{
		Hdr: dns.RR_Header{Name: "Bad.example.com.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
		A:   net.IP{127, 0, 1}, // three bytes: PackRR refuses it
	}
	if _, err := canonicalKey(bad); err == nil {
		t.Fatal("canonicalKey accepted a three-byte address; the test needs an unencodable record")
	}
	old := zoneOf(t, soa1, wwwA)
	old.Records = append(old.Records, bad)
	if del, add := Diff(old, old); len(del)+len(add) != 0 {
		t.Errorf("Diff(old, old) = %q, %q; want nothing", texts(del), texts(add))
	}
	del, add := Diff(old, zoneOf(t, soa1, wwwA))
	if want := []string{bad.String()}; !slices.Equal(texts(del), want) || len(add) != 0 {
		t.Errorf("Diff = %q, %q; want %q deleted", texts(del), texts(add), want)
	}
	del, _ = Diff(old, zoneOf(t, soa1))
	if want := []string{normalise(t, []string{wwwA})[0], bad.String()}; !slices.Equal(texts(del), want) {
		t.Errorf("deleted %q, want %q: encodable records first", texts(del), want)
	}
	if old.Digest() == zoneOf(t, soa1, wwwA).Digest() {
		t.Error("Digest ignores the unencodable record")
	}
}
