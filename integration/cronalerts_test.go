package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCronModeAlerts: cron mode tells the exec hook of a switch, and of a
// failing zone once, not on every run while it keeps failing; after the
// zone is fixed, the next failure alerts again.
func TestCronModeAlerts(t *testing.T) {
	main := startWeb(t, "127.0.0.11", 0)
	startWeb(t, "127.0.0.12", main.port())
	cfg, _ := cronSetup(t, main.port())
	dir := filepath.Dir(cfg)
	events := filepath.Join(dir, "events.log")
	hook := filepath.Join(dir, "hook.sh")
	writeFile(t, hook, "#!/bin/sh\necho \"$ZONERW_EVENT_KIND|$ZONERW_SERVICE|$ZONERW_ZONE|$ZONERW_TEXT\" >> \""+events+"\"\n")
	if err := os.Chmod(hook, 0o755); err != nil {
		t.Fatal(err)
	}
	yaml, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, cfg, string(yaml)+"alerts:\n  exec:\n    - command: [\""+hook+"\"]\n")

	read := func() []string {
		t.Helper()
		b, err := os.ReadFile(events)
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil {
			t.Fatal(err)
		}
		return strings.Split(strings.TrimSpace(string(b)), "\n")
	}

	mustRun(t, cfg)
	if got := read(); got != nil {
		t.Fatalf("a quiet first run alerted: %q", got)
	}
	main.stop()
	mustRun(t, cfg)
	mustRun(t, cfg) // fall 2: this run switches
	got := read()
	if len(got) != 1 || !strings.HasPrefix(got[0], "switch|web||zonerw: web switched from main to backup") {
		t.Fatalf("after the switch the hook saw %q, want one switch", got)
	}

	tmpl := filepath.Join(dir, "example.com.tmpl")
	good, err := os.ReadFile(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, tmpl, string(good)+"bad 300 IN A @IP:nosuch@\n")
	for range 3 {
		if code, _, stderr := runZonerw(t, "-q", "-c", cfg); code != 1 {
			t.Fatalf("a bad template exited %d, want 1: %s", code, stderr)
		}
	}
	got = read()
	if len(got) != 2 || !strings.HasPrefix(got[1], "publish_failing||example.com|zonerw: publishing example.com failed (") ||
		!strings.Contains(got[1], "example.com.tmpl:10:") {
		t.Fatalf("three failing runs gave the hook %q, want the switch and one publish_failing naming the template line", got)
	}

	writeFile(t, tmpl, string(good))
	mustRun(t, cfg)
	writeFile(t, tmpl, string(good)+"bad 300 IN A @IP:nosuch@\n")
	runZonerw(t, "-q", "-c", cfg)
	if got = read(); len(got) != 3 || !strings.HasPrefix(got[2], "publish_failing||example.com|") {
		t.Fatalf("a new failure after a good run should alert again; hook saw %q", got)
	}
}
