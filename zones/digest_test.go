package zones

import (
	"strings"
	"testing"
)

const digestBase = `$TTL 300
@	IN	SOA	ns1 hostmaster 2024030500 7200 3600 1209600 300
	IN	NS	ns1
ns1	IN	A	127.0.0.53
www	IN	A	127.0.0.10
`

func TestDigest(t *testing.T) {
	tests := []struct {
		name string
		text string
		same bool
	}{
		{name: "identical", text: digestBase, same: true},
		{name: "serial only", text: strings.Replace(digestBase, "2024030500", "2024030517", 1), same: true},
		{
			name: "comments, spacing, order and owner case",
			text: "; rendered again\n$TTL 300\n" +
				"WWW.example.com.   IN A 127.0.0.10 ; web\n" +
				"ns1 IN A 127.0.0.53\n\n" +
				"@ IN SOA ns1 hostmaster ( 2024030599 7200 3600\n   1209600 300 )\n" +
				"EXAMPLE.COM. IN NS ns1\n",
			same: true,
		},
		{name: "address", text: strings.Replace(digestBase, "127.0.0.10", "127.0.0.20", 1)},
		{name: "ttl", text: strings.Replace(digestBase, "www\tIN", "www\t60\tIN", 1)},
		{name: "soa timer", text: strings.Replace(digestBase, "7200", "7201", 1)},
		{name: "added record", text: digestBase + "mail IN A 127.0.0.25\n"},
	}
	base := mustParse(t, digestBase)
	want := base.Digest()
	if len(want) != 64 {
		t.Fatalf("Digest() = %q, want 64 hex digits", want)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := mustParse(t, tt.text)
			serial := z.Serial()
			got := z.Digest()
			if (got == want) != tt.same {
				t.Errorf("Digest() equal to the base zone's = %v, want %v", got == want, tt.same)
			}
			if z.Serial() != serial {
				t.Errorf("Digest changed the serial from %d to %d", serial, z.Serial())
			}
		})
	}
}

// mustParse parses text as example.com or fails the test.
func mustParse(t *testing.T, text string) *Zone {
	t.Helper()
	z, err := Parse("example.com", "test.zone", []byte(text), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return z
}
