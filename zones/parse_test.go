package zones

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// readTestdata returns the content of testdata/name.
func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// find returns the zone's records of type rtype at owner, as text.
func find(z *Zone, owner string, rtype uint16) []string {
	var out []string
	for _, rr := range z.Records {
		if strings.EqualFold(rr.Header().Name, owner) && rr.Header().Rrtype == rtype {
			out = append(out, rr.String())
		}
	}
	return out
}

func TestParseValid(t *testing.T) {
	for _, origin := range []string{"example.com", "example.com.", "Example.COM."} {
		t.Run(origin, func(t *testing.T) {
			z, err := Parse(origin, "testdata/valid.zone", readTestdata(t, "valid.zone"), ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if z.Origin != "example.com." {
				t.Errorf("Origin = %q, want example.com.", z.Origin)
			}
			if z.Serial() != 2024030500 || z.SOA.Ns != "ns1.example.com." || z.SOA.Minttl != 300 {
				t.Errorf("SOA = %v", z.SOA)
			}
			if len(z.Records) != 14 || z.Records[0] != dns.RR(z.SOA) {
				t.Errorf("got %d records, first %v; want 14, the SOA first", len(z.Records), z.Records[0])
			}
			checks := []struct {
				owner string
				rtype uint16
				want  string
			}{
				{"example.com.", dns.TypeMX, "example.com.\t300\tIN\tMX\t10 mail.example.com."},           // relative target, $TTL
				{"mail.example.com.", dns.TypeA, "mail.example.com.\t3600\tIN\tA\t127.0.0.25"},            // explicit TTL
				{"ftp.example.com.", dns.TypeCNAME, "ftp.example.com.\t300\tIN\tCNAME\twww.example.com."}, // $TTL kept after an explicit TTL
				{"app.dev.example.com.", dns.TypeA, "app.dev.example.com.\t300\tIN\tA\t127.0.0.11"},       // $ORIGIN
			}
			for _, c := range checks {
				if got := find(z, c.owner, c.rtype); len(got) != 1 || got[0] != c.want {
					t.Errorf("%s %s = %q, want [%q]", c.owner, dns.Type(c.rtype), got, c.want)
				}
			}
		})
	}
}

func TestParseDefaultsAndDuplicates(t *testing.T) {
	text := "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n" +
		"@ IN NS ns1\n" +
		"ns1 IN A 127.0.0.53\n" +
		"NS1.example.com. IN A 127.0.0.53\n" // the same record again
	z, err := Parse("example.com", "dup.zone", []byte(text), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(z.Records) != 3 {
		t.Errorf("got %d records, want 3 (duplicate dropped): %q", len(z.Records), texts(z.Records))
	}
	if ttl := z.SOA.Hdr.Ttl; ttl != defaultTTL {
		t.Errorf("SOA TTL with no $TTL = %d, want %d", ttl, defaultTTL)
	}
}

func TestParseSyntaxErrors(t *testing.T) {
	tests := []struct {
		name, origin, text, wantErr string
	}{
		{
			name: "bad address", origin: "example.com",
			text:    "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ IN NS ns1\nns1 IN A 127.0.0\n",
			wantErr: `parse zone example.com.: db.example: dns: bad A A: "127.0.0" at line: 3:16`,
		},
		{
			name: "include off by default", origin: "example.com",
			text:    "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n$INCLUDE /etc/passwd\n",
			wantErr: `parse zone example.com.: db.example: dns: $INCLUDE directive not allowed: "/etc/passwd" at line: 2:20`,
		},
		{
			name: "unknown class", origin: "example.com",
			text:    "www CLASS99999999 A 127.0.0.1\n",
			wantErr: `parse zone example.com.: db.example: dns: unknown class: "unknown class" at line: 1:18`,
		},
		{
			name: "record that cannot be encoded", origin: "example.com",
			text: "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n" +
				"www RRSIG A 8 3 300 20240101000000 20230101000000 12345 example.com. !!!notbase64\n",
			wantErr: "parse zone example.com.: db.example:2: www.example.com. RRSIG: cannot be encoded: illegal base64 data at input byte 0",
		},
		{name: "empty origin", origin: "", text: "", wantErr: "db.example: zone origin is empty"},
		{name: "bad origin", origin: "a..b", text: "", wantErr: `db.example: zone origin "a..b" is not a domain name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.origin, "db.example", []byte(tt.text), ParseOptions{})
			if errText(err) != tt.wantErr {
				t.Fatalf("error:\n got %q\nwant %q", errText(err), tt.wantErr)
			}
			var pe *dns.ParseError
			if strings.Contains(tt.wantErr, "dns:") && !errors.As(err, &pe) {
				t.Errorf("errors.As(%T, *dns.ParseError) = false", err)
			}
		})
	}
}

func TestParseInclude(t *testing.T) {
	dir := t.TempDir()
	main := "$TTL 300\n" +
		"@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n" +
		"@ IN NS ns1\n" +
		"$INCLUDE hosts/ns.inc\n" +
		"www IN A 127.0.0.10\n"
	writeTestFile(t, filepath.Join(dir, "example.zone"), main)
	writeTestFile(t, filepath.Join(dir, "hosts", "ns.inc"), "ns1 IN A 127.0.0.53\n")

	file := filepath.Join(dir, "example.zone")
	z, err := Parse("example.com", file, []byte(main), ParseOptions{AllowInclude: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := find(z, "ns1.example.com.", dns.TypeA); len(got) != 1 {
		t.Errorf("included ns1 A records = %q, want one", got)
	}
	if got := find(z, "www.example.com.", dns.TypeA); len(got) != 1 {
		t.Errorf("www A records after the include = %q, want one", got)
	}

	writeTestFile(t, filepath.Join(dir, "hosts", "ns.inc"), "ns1 IN A 127.0.0.53\nweb.example.org. IN A 127.0.0.80\n")
	_, err = Parse("example.com", file, []byte(main), ParseOptions{AllowInclude: true})
	if want := file + ":4: web.example.org. A: outside the zone example.com."; errText(err) != want {
		t.Errorf("bad included record: error %q, want %q (on the $INCLUDE line)", errText(err), want)
	}

	_, err = Parse("example.com", file, []byte(main), ParseOptions{})
	var pe *dns.ParseError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "$INCLUDE directive not allowed") {
		t.Errorf("with AllowInclude false: %v, want a *dns.ParseError refusing $INCLUDE", err)
	}
}

// writeTestFile writes text to path, creating its directory.
func writeTestFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
