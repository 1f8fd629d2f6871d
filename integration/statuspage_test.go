package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// statuspageConfig is serveConfig with the admin HTTP listener on httpPort
// and a webhook alert to hookURL.
func statuspageConfig(t *testing.T, webPort, dnsPort, httpPort int, hookURL string) string {
	t.Helper()
	return daemonYAML{webPort: webPort, dnsPort: dnsPort, httpPort: httpPort,
		tail: fmt.Sprintf("alerts:\n  webhooks:\n    - {url: %q}\n", hookURL)}.write(t)
}

// TestStatusPageShowsFailover opens the status page in headless Chromium
// at a phone's size, stops the main server, and checks the page then shows
// the backup as active and lists the switch, that /metrics counted it and
// that the webhook was told. The screenshot is kept under
// $ZONERW_ARTIFACTS (or the test's temp dir).
func TestStatusPageShowsFailover(t *testing.T) {
	chromium := needTool(t, "chromium", "chromium")
	main := startWeb(t, "127.0.0.11", 0)
	startWeb(t, "127.0.0.12", main.port())
	dnsPort, httpPort := freePort(t, "127.0.0.1"), freePort(t, "127.0.0.1")
	hook := make(chan string, 10)
	hookSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Text string }
		json.NewDecoder(r.Body).Decode(&body)
		hook <- body.Text
	}))
	defer hookSrv.Close()
	cfg := statuspageConfig(t, main.port(), dnsPort, httpPort, hookSrv.URL+"/hooks/secret")
	d := startServe(t, cfg)
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	waitHTTP(t, base+"/readyz", "ready", 20*time.Second)

	dom := chromiumDOM(t, chromium, base+"/")
	if !strings.Contains(dom, `data-service="web" data-active="main"`) {
		t.Fatalf("before the failover the page does not show web on main:\n%s", dom)
	}

	main.stop()
	waitForA(t, fmt.Sprintf("127.0.0.1:%d", dnsPort), "www.example.com", "127.0.0.12", 30*time.Second)
	dom = chromiumDOM(t, chromium, base+"/")
	for _, want := range []string{
		`data-service="web" data-active="backup"`,
		`<li class="target" data-target="backup" data-up="true" data-active="true">`,
		`<li class="target" data-target="main" data-up="false" data-active="false">`,
		`<li class="event" data-kind="switch">`,
		`main → backup: main down after 2 consecutive failures`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("after the failover the page lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("page:\n%s", dom)
	}
	waitHTTP(t, base+"/metrics", `zonerw_failover_switches_total{from="main",reason="target_down",service="web",to="backup"} 1`, 5*time.Second)
	select {
	case text := <-hook:
		if !strings.HasPrefix(text, "zonerw: web switched from main to backup (main down after 2 consecutive failures") {
			t.Errorf("webhook text %q", text)
		}
	case <-time.After(10 * time.Second):
		t.Error("the webhook heard nothing within 10s of the switch")
	}

	dir := os.Getenv("ZONERW_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	shot := filepath.Join(dir, "statuspage-after-failover.png")
	chromiumShot(t, chromium, base+"/", shot)
	t.Logf("screenshot of the status page at 390x844 after the failover: %s", shot)
	d.stop(t)
}

// waitHTTP polls url until it answers 200 with want in the body.
func waitHTTP(t *testing.T, url, want string, deadline time.Duration) {
	t.Helper()
	end := time.Now().Add(deadline)
	last := ""
	for time.Now().Before(end) {
		resp, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.Contains(string(b), want) {
				return
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, b)
		} else {
			last = err.Error()
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: no 200 with %q within %s; last: %s", url, want, deadline, last)
}

// chromiumArgs are flags for a headless Chromium that talks to nothing
// but the loopback page it is given.
func chromiumArgs(t *testing.T) []string {
	return []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
		"--user-data-dir=" + t.TempDir(), "--window-size=390,844",
	}
}

// runChromium runs chromium with args, bounded, and returns its stdout.
func runChromium(t *testing.T, chromium string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// chromiumDOM loads url and returns the DOM as Chromium built it.
func chromiumDOM(t *testing.T, chromium, url string) string {
	t.Helper()
	return runChromium(t, chromium, append(chromiumArgs(t), "--dump-dom", url)...)
}

// chromiumShot saves a PNG of url as a phone would show it.
func chromiumShot(t *testing.T, chromium, url, png string) {
	t.Helper()
	runChromium(t, chromium, append(chromiumArgs(t), "--screenshot="+png, url)...)
	if fi, err := os.Stat(png); err != nil || fi.Size() == 0 {
		t.Fatalf("chromium left no screenshot at %s: %v", png, err)
	}
}
