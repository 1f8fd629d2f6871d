package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
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
			if code != 0 || !strings.Contains(out, "would switch web: main -> backup") ||
				!strings.Contains(out, "provider "+kind+"-example (dry run): www.example.com. A: ") {
				t.Fatalf("--dry-run: exit %d\n%s%s", code, out, errOut)
			}
			if n := strings.Count(out, kind+"-example"); n != strings.Count(out, "provider "+kind+"-example (dry run): ") {
				t.Errorf("--dry-run names the provider more than once on a line:\n%s", out)
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

// A refused token: one clear error naming the token file, an alert, and
// no retry on the next runs until the retry delay has passed, unless the
// token file changes (then the next run tries at once and publishes).
func TestCronModeProviderWrongToken(t *testing.T) {
	cf := providers.NewCloudflare(t)
	cf.AddToken(providerToken, providers.CFToken{ZoneRead: true, DNSWrite: true})
	cf.AddZone("example.com")
	cf.Seed("example.com", "www", "A", "127.0.0.12", 60, false)
	main := startWeb(t, "127.0.0.11", 0)
	cfg := providerCronConfig(t, main.port(), "cloudflare", cf.URL(), "wrong-token-do-not-print")
	dir := filepath.Dir(cfg)
	events := filepath.Join(dir, "events.log")
	hook := filepath.Join(dir, "hook.sh")
	writeFile(t, hook, "#!/bin/sh\necho \"$ZONERW_EVENT_KIND|$ZONERW_TEXT\" >> \""+events+"\"\n")
	if err := os.Chmod(hook, 0o755); err != nil {
		t.Fatal(err)
	}
	appendFile(t, cfg, "alerts:\n  exec:\n    - command: [\""+hook+"\"]\n")

	code, out, errOut := runZonerw(t, "-q", "-c", cfg)
	want := "cloudflare-example: the API token from token_file " + filepath.Join(dir, "token") + " was refused (HTTP 403): it is wrong, expired or revoked"
	if code != 1 || strings.Count(errOut, want) != 1 || strings.Contains(out+errOut, "wrong-token-do-not-print") {
		t.Fatalf("exit %d, stderr:\n%s\nwant it once: %q, and not the token", code, errOut, want)
	}
	if n := len(cf.Requests()); n != 1 {
		t.Fatalf("%d requests with a refused token, want 1 (no retries)", n)
	}
	if b, _ := os.ReadFile(events); !strings.Contains(string(b), "publish_failing|") || !strings.Contains(string(b), want) {
		t.Errorf("the alert hook saw %q; want a publish_failing alert with the error", b)
	}

	// The next runs do not try again: the delay is a minute or more.
	for range 2 {
		code, out, errOut = runZonerw(t, "-q", "-c", cfg)
		if code != 1 || out+errOut != "" {
			t.Fatalf("a held run: exit %d, output %q; want 1 and silence", code, out+errOut)
		}
	}
	if n := len(cf.Requests()); n != 1 {
		t.Fatalf("%d requests; a refused token must not be retried every run", n)
	}
	code, out, _ = runZonerw(t, "status", "-c", cfg)
	if code != 1 || !strings.Contains(out, "FAILING (credentials)") || !strings.Contains(out, "next attempt ") {
		t.Errorf("status:\n%s", out)
	}

	// A new token in the file: the next run tries at once and publishes.
	writeFile(t, filepath.Join(dir, "token"), providerToken+"\n")
	mustRun(t, cfg)
	if got := cf.Values("example.com", "www", "A"); !slices.Equal(got, []string{"127.0.0.11"}) {
		t.Fatalf("after the token was fixed www = %v", got)
	}
}

// token_env: the error names the variable.
func TestCronModeProviderTokenEnv(t *testing.T) {
	g := providers.NewGandi(t)
	g.AddToken(providerToken)
	g.AddDomain("example.com")
	main := startWeb(t, "127.0.0.11", 0)
	cfg := providerCronConfig(t, main.port(), "gandi", g.URL(), providerToken)
	text := strings.Replace(readFile(t, cfg), "token_file: token", "token_env: ZONERW_TEST_GANDI_PAT", 1)
	writeFile(t, cfg, text)
	t.Setenv("ZONERW_TEST_GANDI_PAT", "revoked-pat")
	code, _, errOut := runZonerw(t, "-q", "-c", cfg)
	want := "gandi-example: the personal access token from token_env ZONERW_TEST_GANDI_PAT was refused (HTTP 403): it is wrong, expired or revoked"
	if code != 1 || !strings.Contains(errOut, want) || strings.Contains(errOut, "revoked-pat") {
		t.Fatalf("exit %d, stderr:\n%s\nwant %q", code, errOut, want)
	}
}

// Without a daemon, status and explain show what the provider holds, when
// it was read, and the change a failed publish left pending: explain says
// the service serves backup while the provider still points at main.
func TestCronModeProviderStatusWithoutDaemon(t *testing.T) {
	cf := providers.NewCloudflare(t)
	cf.AddToken(providerToken, providers.CFToken{ZoneRead: true, DNSWrite: true})
	cf.AddZone("example.com")
	cf.Seed("example.com", "www", "A", "127.0.0.11", 60, false)
	main := startWeb(t, "127.0.0.11", 0)
	startWeb(t, "127.0.0.12", main.port())
	cfg := providerCronConfig(t, main.port(), "cloudflare", cf.URL(), providerToken)
	mustRun(t, cfg)
	code, out, _ := runZonerw(t, "status", "-c", cfg)
	if code != 0 || !regexp.MustCompile(`www\.example\.com\. A\s+web\s+127\.0\.0\.11\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(\d+s ago\)\s+-\n`).MatchString(out) {
		t.Fatalf("status after a publish:\n%s", out)
	}

	main.stop()
	cf.Inject(providers.Fault{Method: "PATCH", Status: 400, Times: -1}) // refused as invalid: not retried
	if code, _, _ := runZonerw(t, "-q", "-c", cfg); code != 1 {
		t.Fatalf("a run whose publish fails exited %d", code)
	}
	code, out, _ = runZonerw(t, "status", "-c", cfg)
	if code != 1 || !regexp.MustCompile(`www\.example\.com\. A\s+web\s+127\.0\.0\.11\s+\S+ \S+ \(\d+s ago\)\s+127\.0\.0\.12\n`).MatchString(out) ||
		!strings.Contains(out, "FAILING (rejected)") {
		t.Fatalf("status after a failed publish (exit %d, want 1):\n%s", code, out)
	}
	code, out, _ = runZonerw(t, "explain", "-c", cfg, "web")
	if code != 0 || !strings.Contains(out, "web serves backup") ||
		!regexp.MustCompile(`provider cloudflare-example: www\.example\.com\. A holds 127\.0\.0\.11 \(main\) \(read \S+ \(\d+s ago\)\); PENDING 127\.0\.0\.12 \(backup\): the last publish failed \(rejected\): `).MatchString(out) {
		t.Fatalf("explain:\n%s", out)
	}
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	writeFile(t, path, readFile(t, path)+text)
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
				if !slices.Equal(got, []string{"127.0.0.11"}) || !strings.Contains(out, "provider cloudflare-example: drift on www.example.com. A: holds 127.0.0.99, want 127.0.0.11; put back\n") {
					t.Fatalf("www = %v\n%s", got, out)
				}
			case "report":
				if !slices.Equal(got, []string{"127.0.0.99"}) || !strings.Contains(out, "provider cloudflare-example: drift on www.example.com. A: holds 127.0.0.99, want 127.0.0.11; reported only (on_drift: report)\n") {
					t.Fatalf("www = %v\n%s", got, out)
				}
				// Left standing: the next run (-q) says nothing of it; it is
				// reminded hourly.
				if code, out, errOut := runZonerw(t, "-q", "-c", cfg); code != 0 || strings.Contains(out+errOut, "drift") {
					t.Errorf("a run with the drift standing: exit %d, printed\n%s%s", code, out, errOut)
				}
			}
		})
	}
}
