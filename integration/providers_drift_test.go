package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zonerw/zonerw/integration/providers"
)

// driftHook adds an exec alert to cfg that appends one line per event,
// "KIND|RECORD|TEXT", to the file it returns.
func driftHook(t *testing.T, cfg string) string {
	t.Helper()
	dir := filepath.Dir(cfg)
	events := filepath.Join(dir, "events.log")
	hook := filepath.Join(dir, "hook.sh")
	writeFile(t, hook, "#!/bin/sh\necho \"$ZONERW_EVENT_KIND|$ZONERW_RECORD|$ZONERW_TEXT\" >> \""+events+"\"\n")
	if err := os.Chmod(hook, 0o755); err != nil {
		t.Fatal(err)
	}
	appendFile(t, cfg, "\nalerts:\n  exec:\n    - command: [\""+hook+"\"]\n")
	return events
}

// fileLinesWith returns the lines of the file at path (missing: none)
// that hold s.
func fileLinesWith(path, s string) []string {
	b, _ := os.ReadFile(path)
	return linesWith(string(b), s)
}

// zonerwOut runs zonerw with args and fails on a non-zero exit.
func zonerwOut(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := runZonerw(t, args...)
	if code != 0 {
		t.Fatalf("zonerw %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// statusOut is zonerw status's output; it exits 1 when problem (something
// needs a person), else 0.
func statusOut(t *testing.T, cfg string, problem bool) string {
	t.Helper()
	want := 0
	if problem {
		want = 1
	}
	code, out, errOut := runZonerw(t, "status", "-c", cfg)
	if code != want {
		t.Fatalf("zonerw status: exit %d, want %d\n%s%s", code, want, out, errOut)
	}
	return out
}

const (
	driftReported = "www.example.com. A holds 127.0.0.99, want 127.0.0.11; reported only (on_drift: report)"
	driftPutBack  = "www.example.com. A holds 127.0.0.99, want 127.0.0.11; put back"
	driftAlert    = "drift|www.example.com. A|zonerw: www.example.com. A at %s-example no longer holds what zonerw published (holds 127.0.0.99, want 127.0.0.11; %s)"
)

// TestCronModeDriftReachesPeople: under on_drift: report a hand edit at
// Cloudflare reaches the exec alert (kind drift), the audit log and
// zonerw status; found again at the next run it is not alerted or
// audited again (the reminder is hourly), and once put back by hand the
// audit log says it is over and status shows it no more. Under fix, the
// put-back is audited and alerted.
func TestCronModeDriftReachesPeople(t *testing.T) {
	for _, mode := range []string{"report", "fix"} {
		t.Run(mode, func(t *testing.T) {
			cf := providers.NewCloudflare(t)
			cf.AddToken(providerToken, providers.CFToken{ZoneRead: true, DNSWrite: true})
			cf.AddZone("example.com")
			id := cf.Seed("example.com", "www", "A", "127.0.0.11", 60, false)
			main := startWeb(t, "127.0.0.11", 0)
			cfg := providerCronConfig(t, main.port(), "cloudflare", cf.URL(), providerToken,
				"    on_drift: "+mode, "    verify_every: 1ns")
			events := driftHook(t, cfg)
			mustRun(t, cfg)
			cf.Edit("example.com", id, "127.0.0.99")
			mustRun(t, cfg)

			what, line := "reported only (on_drift: report)", driftReported
			if mode == "fix" {
				what, line = "put back", driftPutBack
			}
			if got := fileLinesWith(events, "drift|"); len(got) != 1 || got[0] != fmt.Sprintf(driftAlert, "cloudflare", what) {
				t.Fatalf("alerts %q, want one drift alert", got)
			}
			log := zonerwOut(t, "log", "-c", cfg)
			if got := linesWith(log, "  drift  cloudflare-example  web  "+line); len(got) != 1 {
				t.Fatalf("zonerw log has %d drift lines %q:\n%s", len(got), line, log)
			}
			status := statusOut(t, cfg, mode == "report") // a drift reported and not put back needs a person
			if mode == "fix" {
				if got := cf.Values("example.com", "www", "A"); !slices.Equal(got, []string{"127.0.0.11"}) {
					t.Fatalf("not put back: %v", got)
				}
				if strings.Contains(status, "DRIFT") {
					t.Errorf("status shows a drift that was put back:\n%s", status)
				}
				return
			}
			if !strings.Contains(status, "  DRIFT since ") || !strings.Contains(status, ": "+driftReported+"\n") {
				t.Fatalf("status lacks the drift:\n%s", status)
			}

			// Found again: no second alert, no second audit line.
			mustRun(t, cfg)
			if got := fileLinesWith(events, "drift|"); len(got) != 1 {
				t.Errorf("after another run the hook has %d drift alerts, want 1 (hourly)", len(got))
			}
			if got := linesWith(zonerwOut(t, "log", "-c", cfg), "  drift  "); len(got) != 1 {
				t.Errorf("after another run the audit log has %d drift lines, want 1: %q", len(got), got)
			}

			cf.Edit("example.com", id, "127.0.0.11") // put back by hand
			mustRun(t, cfg)
			log = zonerwOut(t, "log", "-c", cfg)
			if got := linesWith(log, "  drift  cloudflare-example  web  www.example.com. A holds 127.0.0.11 again, as published"); len(got) != 1 {
				t.Errorf("the audit log does not say the drift is over:\n%s", log)
			}
			if status := zonerwOut(t, "status", "-c", cfg); strings.Contains(status, "DRIFT") {
				t.Errorf("status still shows the drift:\n%s", status)
			}
			// The next hand edit alerts at once.
			cf.Edit("example.com", id, "127.0.0.99")
			mustRun(t, cfg)
			if got := fileLinesWith(events, "drift|"); len(got) != 2 {
				t.Errorf("a new drift after the last was over: %d drift alerts, want 2", len(got))
			}
		})
	}
}

// linesWith returns the lines of text that hold s.
func linesWith(text, s string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return out
}

// providerDaemonConfig is a daemon with no zones: the web service probed
// every second and published to one provider at apiURL, read back every
// second, with the status page on httpPort.
func providerDaemonConfig(t *testing.T, webPort, httpPort int, kind, apiURL, onDrift string) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "token"), providerToken+"\n")
	cfg := filepath.Join(dir, "zonerw.yaml")
	writeFile(t, cfg, fmt.Sprintf(`state_dir: state
server:
  http: "127.0.0.1:%d"
services:
  - name: web
    every: "@every 1s"
    check: {type: http, url: "http://{addr}:%d/", timeout: 500ms}
    rise: 1
    fall: 2
    targets:
      - {name: main, ipv4: 127.0.0.11}
      - {name: backup, ipv4: 127.0.0.12}
providers:
  - name: %s-example
    type: %s
    zone: example.com
    token_file: token
    api_url: %s
    on_drift: %s
    verify_every: 1s
    records:
      - {name: www, type: A, service: web, ttl: 300s}
`, httpPort, webPort, kind, kind, apiURL, onDrift))
	return cfg
}

// providerStatus is the part of `zonerw status --json` these tests read.
type providerStatus struct {
	Providers []struct {
		LastVerified time.Time `json:"last_verified"`
		Records      []struct {
			Drift string `json:"drift"`
		} `json:"records"`
	} `json:"providers"`
}

func readProviderStatus(t *testing.T, cfg string) providerStatus {
	t.Helper()
	var v providerStatus
	code, out, errOut := runZonerw(t, "status", "--json", "-c", cfg)
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("status --json: exit %d %v\n%s%s", code, err, out, errOut)
	}
	if len(v.Providers) != 1 || len(v.Providers[0].Records) != 1 {
		t.Fatalf("status --json: %+v", v)
	}
	// A standing drift needs a person: exit 1.
	if drift := v.Providers[0].Records[0].Drift != ""; code != map[bool]int{false: 0, true: 1}[drift] {
		t.Fatalf("status --json: exit %d with drift %q\n%s", code, v.Providers[0].Records[0].Drift, out)
	}
	return v
}

// TestDaemonDriftReachesPeople: zonerw serve reads the Gandi records back
// every verify_every (1s). Under report a hand edit reaches the exec
// alert, the audit log, zonerw status and the status page's problems;
// the checks after it add no alert and no audit line; once put back by
// hand it is over. Under fix the daemon puts it back and audits that.
func TestDaemonDriftReachesPeople(t *testing.T) {
	for _, mode := range []string{"report", "fix"} {
		t.Run(mode, func(t *testing.T) {
			g := providers.NewGandi(t)
			g.AddToken(providerToken)
			g.AddDomain("example.com")
			g.Seed("example.com", "www", "A", 300, "127.0.0.11")
			main := startWeb(t, "127.0.0.11", 0)
			startWeb(t, "127.0.0.12", main.port())
			httpPort := freePort(t, "127.0.0.1")
			cfg := providerDaemonConfig(t, main.port(), httpPort, "gandi", g.URL(), mode)
			events := driftHook(t, cfg)
			d := startServe(t, cfg)
			base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
			waitHTTP(t, base+"/readyz", "ready", 20*time.Second)
			// The first read-back after the publish: in sync.
			pollAlive(t, d, 20*time.Second, "read-back", func() bool {
				return !readProviderStatus(t, cfg).Providers[0].LastVerified.IsZero()
			})

			g.Edit("example.com", "www", "A", "127.0.0.99")
			what, line := "reported only (on_drift: report)", "reported only (on_drift: report)"
			if mode == "fix" {
				what, line = "put back", "put back"
			}
			pollAlive(t, d, 20*time.Second, "drift alert", func() bool { return len(fileLinesWith(events, "drift|")) > 0 })
			if got := fileLinesWith(events, "drift|"); got[0] != fmt.Sprintf(driftAlert, "gandi", what) {
				t.Errorf("alert %q", got[0])
			}
			log := zonerwOut(t, "log", "-c", cfg)
			if got := linesWith(log, "  drift  gandi-example  web  www.example.com. A holds 127.0.0.99, want 127.0.0.11; "+line); len(got) != 1 {
				t.Fatalf("zonerw log:\n%s", log)
			}
			if mode == "fix" {
				pollAlive(t, d, 10*time.Second, "put-back of the record", func() bool {
					return slices.Equal(g.Values("example.com", "www", "A"), []string{"127.0.0.11"})
				})
				return
			}
			status := statusOut(t, cfg, true)
			if strings.HasPrefix(status, "no daemon running") || !strings.Contains(status, "  DRIFT since ") ||
				!strings.Contains(status, ": www.example.com. A holds 127.0.0.99, want 127.0.0.11; reported only (on_drift: report)\n") {
				t.Fatalf("status lacks the drift:\n%s", status)
			}
			waitHTTP(t, base+"/status.json", `changed outside zonerw`, 5*time.Second)
			waitHTTP(t, base+"/", `<span class="badge warn">DRIFT</span>`, 5*time.Second)

			// Two more checks find it again: still one alert, one audit line.
			seen := readProviderStatus(t, cfg).Providers[0].LastVerified
			pollAlive(t, d, 20*time.Second, "two more read-backs", func() bool {
				return readProviderStatus(t, cfg).Providers[0].LastVerified.Sub(seen) >= 2*time.Second
			})
			if got := fileLinesWith(events, "drift|"); len(got) != 1 {
				t.Errorf("%d drift alerts after more checks, want 1 (hourly): %q", len(got), got)
			}
			if got := linesWith(zonerwOut(t, "log", "-c", cfg), "  drift  "); len(got) != 1 {
				t.Errorf("%d drift lines in the audit log after more checks, want 1: %q", len(got), got)
			}
			if got := g.Values("example.com", "www", "A"); !slices.Equal(got, []string{"127.0.0.99"}) {
				t.Errorf("report mode changed the record: %v", got)
			}

			g.Edit("example.com", "www", "A", "127.0.0.11")
			pollAlive(t, d, 20*time.Second, "end of the drift", func() bool {
				return readProviderStatus(t, cfg).Providers[0].Records[0].Drift == ""
			})
			log = zonerwOut(t, "log", "-c", cfg)
			if got := linesWith(log, "  drift  gandi-example  web  www.example.com. A holds 127.0.0.11 again, as published"); len(got) != 1 {
				t.Errorf("the audit log does not say the drift is over:\n%s", log)
			}
			d.stop(t)
			// Without the daemon, status reads the state file it left.
			if status := zonerwOut(t, "status", "-c", cfg); !strings.HasPrefix(status, "no daemon running") || strings.Contains(status, "DRIFT") {
				t.Errorf("status from the state file:\n%s", status)
			}
		})
	}
}
