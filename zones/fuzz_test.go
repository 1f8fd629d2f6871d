package zones

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/miekg/dns"
)

// FuzzParse feeds arbitrary text to Parse. It must never panic, and a zone
// it accepts must hold what validation promises.
func FuzzParse(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*.zone"))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range seeds {
		text, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(text)
	}
	f.Add([]byte("$GENERATE 1-3 h$ A 127.0.0.$\n"))
	f.Add([]byte("@ SOA ns1 h (\n1 2 3 4 5 ) ; c\n@ NS ns1\nns1 A 127.0.0.1\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		z, err := Parse("example.com", "fuzz.zone", text, ParseOptions{})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		checkAccepted(t, z)
	})
}

// checkAccepted checks the promises of a zone Parse returned.
func checkAccepted(t *testing.T, z *Zone) {
	t.Helper()
	if z.Origin != "example.com." || z.SOA == nil || dns.CanonicalName(z.SOA.Hdr.Name) != z.Origin {
		t.Fatalf("accepted zone with origin %q and SOA %v", z.Origin, z.SOA)
	}
	for _, rr := range z.Records {
		if !dns.IsSubDomain(z.Origin, rr.Header().Name) || rr.Header().Class != dns.ClassINET {
			t.Fatalf("accepted record %v", rr)
		}
	}
	if d := z.Digest(); len(d) != 64 || d != z.Digest() {
		t.Fatalf("Digest() = %q, not stable 64 hex digits", d)
	}
	if del, add := Diff(z, z); len(del)+len(add) != 0 {
		t.Fatalf("Diff of a zone with itself: %d deleted, %d added", len(del), len(add))
	}
}
