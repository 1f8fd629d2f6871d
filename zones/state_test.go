package zones

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func TestSaveLoadJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	want := ZoneState{Serial: 2024030517, Digest: "ab12", Written: time.Date(2024, 3, 5, 9, 30, 0, 0, time.UTC)}
	if err := SaveJSON(path, want); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	var got ZoneState
	found, err := LoadJSON(path, &got)
	if err != nil || !found {
		t.Fatalf("LoadJSON = %v, %v; want found", found, err)
	}
	if got.Serial != want.Serial || got.Digest != want.Digest || !got.Written.Equal(want.Written) {
		t.Errorf("loaded %+v, want %+v", got, want)
	}
}

func TestLoadJSONMissing(t *testing.T) {
	var s ZoneState
	found, err := LoadJSON(filepath.Join(t.TempDir(), "none.json"), &s)
	if found || err != nil {
		t.Errorf("LoadJSON of a missing file = %v, %v; want false, nil", found, err)
	}
}

func TestLoadJSONCorrupt(t *testing.T) {
	tests := []struct{ name, content string }{
		{name: "empty", content: ""},
		{name: "truncated", content: `{"serial": 2024`},
		{name: "not json", content: "serial=1\n"},
		{name: "wrong type", content: `{"serial": "high"}`},
		{name: "serial out of range", content: `{"serial": 4294967296}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			var s ZoneState
			found, err := LoadJSON(path, &s)
			if want := "decode state file " + path + ": "; found || !strings.HasPrefix(errText(err), want) {
				t.Errorf("LoadJSON = %v, %q; want false and an error starting %q", found, errText(err), want)
			}
		})
	}
}

func TestReadSerial(t *testing.T) {
	const soa = "@ IN SOA ns1 hostmaster 2024030517 7200 3600 1209600 300\n"
	tests := []struct {
		name       string
		content    string // "-" for no file
		wantSerial uint32
		wantFound  bool
		wantErr    string // "%s" stands for the path
		wantParse  bool   // the error wraps a *dns.ParseError
	}{
		{name: "no file", content: "-"},
		{name: "serial", content: "$TTL 300\n" + soa + "@ IN NS ns1\n", wantSerial: 2024030517, wantFound: true},
		{name: "soa after other records", content: "@ 300 IN NS ns1\n" + soa, wantSerial: 2024030517, wantFound: true},
		{name: "garbage after the soa", content: soa + "www IN A not-an-address\n", wantSerial: 2024030517, wantFound: true},
		{name: "no soa", content: "@ 300 IN NS ns1\n", wantErr: "read serial of zone example.com.: %s: no SOA record at the apex"},
		{name: "soa of another zone", content: "other.test. 300 IN SOA ns1 hostmaster 7 1 1 1 1\n", wantErr: "read serial of zone example.com.: %s: no SOA record at the apex"},
		{name: "syntax error first", content: "www 300 IN A 1.2\n" + soa, wantErr: `read serial of zone example.com.: %s: dns: bad A A: "1.2" at line: 1:16`, wantParse: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "example.com.zone")
			if tt.content != "-" {
				if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			serial, found, err := ReadSerial("example.com", path)
			wantErr := strings.ReplaceAll(tt.wantErr, "%s", path)
			if serial != tt.wantSerial || found != tt.wantFound || errText(err) != wantErr {
				t.Errorf("ReadSerial = %d, %v, %q; want %d, %v, %q", serial, found, errText(err), tt.wantSerial, tt.wantFound, wantErr)
			}
			var pe *dns.ParseError
			if errors.As(err, &pe) != tt.wantParse {
				t.Errorf("error wraps *dns.ParseError = %v, want %v", !tt.wantParse, tt.wantParse)
			}
		})
	}
}
