package templates

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseRender: for any text, Parse and Render do not panic, every error
// names the file, rendering is deterministic, a template Parse accepts
// renders without error when every service has addresses, and text without
// markers renders unchanged.
func FuzzParseRender(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "render", "*.tmpl"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range seeds {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("www IN A (\n @IP@ ) ; @IP:web@\n"))
	f.Add([]byte("@ IN SOA ns1 host (\n ; @serial number@\n 1 3600 900 604800 300 )\n"))
	f.Add([]byte(`x IN TXT "a;b\" @IP@" ; @IP@` + "\n"))
	f.Add([]byte("\\@serial number@ ) ( \"\n"))

	v := Values{
		Serial: 42,
		Active: map[string]Addrs{
			"web":  {IPv4: addrs("203.0.113.7", "203.0.113.8"), IPv6: addrs("2001:db8::7")},
			"mail": {IPv4: addrs("203.0.113.25")},
			"shop": {IPv4: addrs("203.0.113.80"), IPv6: addrs("2001:db8::80", "2001:db8::81")},
		},
		TTL: map[string]uint32{"web": 60},
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		tmpl, err := Parse("fuzz.tmpl", text, testServices(), "web")
		if err != nil {
			checkNamesFile(t, err)
			return
		}
		out, err := tmpl.Render(v)
		if err != nil {
			t.Fatalf("Parse accepted the template but Render failed: %v", err)
		}
		again, err := tmpl.Render(v)
		if err != nil || !bytes.Equal(out, again) {
			t.Fatalf("second render differs: %v\n%q\n%q", err, out, again)
		}
		if !markerShape.Match(text) && !bytes.Equal(out, text) {
			t.Fatalf("text without markers changed:\n%q\n%q", text, out)
		}
	})
}

// checkNamesFile fails unless every line of err starts with the file name.
func checkNamesFile(t *testing.T, err error) {
	t.Helper()
	for _, line := range strings.Split(err.Error(), "\n") {
		if !strings.HasPrefix(line, "fuzz.tmpl:") {
			t.Fatalf("error line does not name the file: %q", line)
		}
	}
}
