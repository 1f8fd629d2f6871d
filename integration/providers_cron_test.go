package integration

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zonerw/zonerw/integration/providers"
)

const providerToken = "emulator-token-not-a-secret"

// providerCronConfig writes a cron-mode config whose only publisher is one
// provider at apiURL.
func providerCronConfig(t *testing.T, webPort int, kind, apiURL, token string, extra ...string) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "token"), token+"\n")
	cfg := filepath.Join(dir, "zonerw.yaml")
	ttl := "60s"
	if kind == "gandi" {
		ttl = "300s"
	}
	writeFile(t, cfg, fmt.Sprintf(`state_dir: state
services:
  - name: web
    check: {type: http, url: "http://{addr}:%d/", timeout: 2s}
    rise: 1
    fall: 1
    targets:
      - {name: main, ipv4: 127.0.0.11}
      - {name: backup, ipv4: 127.0.0.12}
providers:
  - name: %s-example
    type: %s
    zone: example.com
    token_file: token
    api_url: %s
    records:
      - {name: www, type: A, service: web, ttl: %s}
%s`, webPort, kind, kind, apiURL, ttl, strings.Join(extra, "\n")))
	return cfg
}

// values reads the www A record at the emulator.
type recordReader func() []string

func TestCronModeProviders(t *testing.T) {
	for _, kind := range []string{"cloudflare", "gandi"} {
		t.Run(kind, func(t *testing.T) {
			var url string
			var read recordReader
			var history func() []providers.Change
			switch kind {
			case "cloudflare":
				cf := providers.NewCloudflare(t)
				cf.AddToken(providerToken, providers.CFToken{ZoneRead: true, DNSWrite: true})
				cf.AddZone("example.com")
				cf.Seed("example.com", "www", "A", "127.0.0.11", 60, true)
				url, history = cf.URL(), cf.History
				read = func() []string { return cf.Values("example.com", "www", "A") }
			case "gandi":
				g := providers.NewGandi(t)
				g.AddToken(providerToken)
				g.AddDomain("example.com")
				g.Seed("example.com", "www", "A", 300, "127.0.0.11")
				url, history = g.URL(), g.History
				read = func() []string { return g.Values("example.com", "www", "A") }
			}
			main := startWeb(t, "127.0.0.11", 0)
			startWeb(t, "127.0.0.12", main.port())
			cfg := providerCronConfig(t, main.port(), kind, url, providerToken)

			mustRun(t, cfg)
			if got := read(); !slices.Equal(got, []string{"127.0.0.11"}) {
				t.Fatalf("after the first run www = %v", got)
			}

			main.stop()
			// --dry-run shows the calls and changes nothing.
			code, out, errOut := runZonerw(t, "--dry-run", "-c", cfg)
			if code != 0 || !strings.Contains(out, "would switch web: main -> backup") || !strings.Contains(out, "provider "+kind+"-example: would") {
				t.Fatalf("--dry-run: exit %d\n%s%s", code, out, errOut)
			}
			if got := read(); !slices.Equal(got, []string{"127.0.0.11"}) {
				t.Fatalf("--dry-run changed the record: %v", got)
			}

			out = mustRun(t, cfg)
			if got := read(); !slices.Equal(got, []string{"127.0.0.12"}) {
				t.Fatalf("after failover www = %v\n%s", got, out)
			}
			main.start()
			mustRun(t, cfg)
			if got := read(); !slices.Equal(got, []string{"127.0.0.11"}) {
				t.Fatalf("after failback www = %v", got)
			}
			for _, c := range history() {
				if len(c.Values) == 0 {
					t.Fatalf("the record was empty at some point: %+v", history())
				}
			}
		})
	}
}

func TestCronModeProviderWrongToken(t *testing.T) {
	cf := providers.NewCloudflare(t)
	cf.AddToken(providerToken, providers.CFToken{ZoneRead: true, DNSWrite: true})
	cf.AddZone("example.com")
	main := startWeb(t, "127.0.0.11", 0)
	cfg := providerCronConfig(t, main.port(), "cloudflare", cf.URL(), "wrong-token-do-not-print")
	code, out, errOut := runZonerw(t, "-q", "-c", cfg)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	want := "cloudflare-example: the API token was refused (HTTP 403): check the token file"
	if !strings.Contains(errOut, want) || strings.Contains(out+errOut, "wrong-token-do-not-print") {
		t.Fatalf("stderr:\n%s\nwant it to contain %q and not the token", errOut, want)
	}
	if n := len(cf.Requests()); n != 1 {
		t.Fatalf("%d requests with a refused token, want 1 (no retries)", n)
	}
}

func TestCronModeProviderDrift(t *testing.T) {
	for _, mode := range []string{"fix", "report"} {
		t.Run(mode, func(t *testing.T) {
			cf := providers.NewCloudflare(t)
			cf.AddToken(providerToken, providers.CFToken{ZoneRead: true, DNSWrite: true})
			cf.AddZone("example.com")
			id := cf.Seed("example.com", "www", "A", "127.0.0.11", 60, false)
			main := startWeb(t, "127.0.0.11", 0)
			// verify_every 1ns: every run reads the record back.
			cfg := providerCronConfig(t, main.port(), "cloudflare", cf.URL(), providerToken,
				"    on_drift: "+mode, "    verify_every: 1ns")
			mustRun(t, cfg)
			cf.Edit("example.com", id, "127.0.0.99") // someone changes it by hand
			out := mustRun(t, cfg)
			got := cf.Values("example.com", "www", "A")
			switch mode {
			case "fix":
				if !slices.Equal(got, []string{"127.0.0.11"}) || !strings.Contains(out, "drift on www A: holds 127.0.0.99, want 127.0.0.11; put back") {
					t.Fatalf("www = %v\n%s", got, out)
				}
			case "report":
				if !slices.Equal(got, []string{"127.0.0.99"}) || !strings.Contains(out, "reported (on_drift: report)") {
					t.Fatalf("www = %v\n%s", got, out)
				}
			}
		})
	}
}
