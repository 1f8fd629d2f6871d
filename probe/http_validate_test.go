package probe

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestHTTPValidate(t *testing.T) {
	tests := []struct {
		name      string
		probe     HTTP
		wantField string // "" = valid
		wantMsg   string
	}{
		{"zero value uses defaults", HTTP{}, "", ""},
		{"https with port", HTTP{URL: "https://{addr}:8443/health?x=1"}, "", ""},
		{"all fields", HTTP{URL: "http://{addr}/", Host: "www.example.com:8080",
			ExpectStatus: []int{100, 200, 599}, BodyContains: "ok", MaxBody: 1}, "", ""},
		{"host is IPv6 with port", HTTP{Host: "[2001:db8::1]:443"}, "", ""},
		{"no marker", HTTP{URL: "http://example.com/"}, "URL", "URL: template lacks {addr}"},
		{"marker not host", HTTP{URL: "http://example.com/{addr}"}, "URL",
			"URL: with 127.0.0.1 as {addr}: {addr} must be the URL's host"},
		{"marker inside a name", HTTP{URL: "http://{addr}.example.com/"}, "URL",
			"URL: with 127.0.0.1 as {addr}: {addr} must be the URL's host"},
		{"bad scheme", HTTP{URL: "ftp://{addr}/"}, "URL",
			`URL: with 127.0.0.1 as {addr}: scheme "ftp" is not http or https`},
		{"no scheme", HTTP{URL: "{addr}/index.html"}, "URL",
			`URL: with 127.0.0.1 as {addr}: scheme "" is not http or https`},
		{"port out of range", HTTP{URL: "http://{addr}:70000/"}, "URL",
			`URL: with 127.0.0.1 as {addr}: port "70000" is not in 1-65535`},
		{"port zero", HTTP{URL: "http://{addr}:0/"}, "URL",
			`URL: with 127.0.0.1 as {addr}: port "0" is not in 1-65535`},
		{"double brackets", HTTP{URL: "http://[{addr}]/"}, "URL",
			"URL: with 127.0.0.1 as {addr}: does not parse: invalid IP-literal"},
		{"bad port", HTTP{URL: "http://{addr}:abc/"}, "URL",
			`URL: with 127.0.0.1 as {addr}: does not parse: invalid port ":abc" after host`},
		{"host with path", HTTP{Host: "example.com/x"}, "Host", `Host: "example.com/x" is not a host[:port]`},
		{"host with space", HTTP{Host: "example .com"}, "Host", `Host: "example .com" is not a host[:port]`},
		{"host with newline", HTTP{Host: "example.com\r\nX: y"}, "Host", `Host: "example.com\r\nX: y" is not a host[:port]`},
		{"host port only", HTTP{Host: ":80"}, "Host", `Host: ":80" is not a host[:port]`},
		{"status too low", HTTP{ExpectStatus: []int{200, 99}}, "ExpectStatus",
			"ExpectStatus: item 1: status 99 is not in 100-599"},
		{"status too high", HTTP{ExpectStatus: []int{600}}, "ExpectStatus",
			"ExpectStatus: item 0: status 600 is not in 100-599"},
		{"negative cap", HTTP{MaxBody: -1}, "MaxBody", "MaxBody: -1 is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.probe.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.wantField {
				t.Fatalf("Validate() = %v, want a FieldError for %s", err, tt.wantField)
			}
			if tt.wantMsg != "" && err.Error() != tt.wantMsg {
				t.Errorf("Validate() = %q, want %q", err, tt.wantMsg)
			}
		})
	}
}

// TestHTTPValidateHidesPassword makes sure a URL with credentials is never
// quoted back in an error.
func TestHTTPValidateHidesPassword(t *testing.T) {
	h := HTTP{URL: "http://user:s3cret@{addr}:99999/"}
	err := h.Validate()
	if err == nil {
		t.Fatal("Validate() = nil, want a port error")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %q reveals the password", err)
	}
}

func TestHTTPProbeRejectsInvalidSettings(t *testing.T) {
	h := &HTTP{URL: "http://example.com/"}
	got := h.Probe(testCtx(t), netip.MustParseAddr("127.0.0.1"))
	checkResult(t, got, false, "invalid probe: URL: template lacks {addr}")
}
