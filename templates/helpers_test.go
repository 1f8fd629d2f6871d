package templates

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

// testServices are the services every test template may name: web has an
// IPv4 and an IPv6 address on each target, mail only IPv4.
func testServices() []Service {
	return []Service{
		{Name: "web", Targets: []Target{
			{Name: "main", IPv4: addrs("192.0.2.10"), IPv6: addrs("2001:db8::10")},
			{Name: "backup", IPv4: addrs("198.51.100.10"), IPv6: addrs("2001:db8:1::10")},
		}},
		{Name: "mail", Targets: []Target{
			{Name: "main", IPv4: addrs("192.0.2.25")},
			{Name: "backup", IPv4: addrs("198.51.100.25")},
		}},
		{Name: "shop", Targets: []Target{
			{Name: "main", IPv4: addrs("192.0.2.80"), IPv6: addrs("2001:db8::80")},
			{Name: "backup", IPv4: addrs("198.51.100.80")},
		}},
	}
}

// addrs parses addresses for a test table.
func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}

// readTestdata reads a file under testdata.
func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustParse parses a template with testServices and "web" as default.
func mustParse(t *testing.T, name string, text []byte) *Template {
	t.Helper()
	tmpl, err := Parse(name, text, testServices(), "web")
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return tmpl
}
