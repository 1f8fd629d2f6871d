package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A service published only through a provider counts the provider
// record's TTL (as configured, Cloudflare's automatic as 300s, or the
// provider's default) in the worst case `check` prints.
func TestCheckWorstCaseCountsProviderTTL(t *testing.T) {
	cases := []struct{ record, want string }{
		{"{name: www, type: A, service: web, ttl: 60s}", "TTL 60s"},
		{"{name: www, type: A, service: web, ttl: 1s}", "TTL 300s"},
		{"{name: www, type: A, service: web}", "TTL 60s"},
		{"{name: www, type: A, service: web, ttl: 3600s}", "TTL 3600s"},
	}
	for _, tc := range cases {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "cf.token"), []byte("not-a-real-token\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := filepath.Join(dir, "zonerw.yaml")
		text := `services:
  - name: web
    every: "@every 10s"
    check: {timeout: 2s}
    targets:
      - {name: main, ipv4: 192.0.2.10}
providers:
  - name: cf
    type: cloudflare
    zone: example.com
    token_file: cf.token
    records:
      - ` + tc.record + "\n"
		if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"check", "-c", cfg}, &stdout, &stderr)
		if code != exitOK || !strings.Contains(stdout.String(), "+ "+tc.want+";") {
			t.Errorf("%s: exit %d, want %q in\n%s%s", tc.record, code, tc.want, &stdout, &stderr)
		}
	}
}

// TestCheckWorstCaseAndRoundTimes: the worst case counts confirmation
// probes (or, with confirm_every: 0, whole rounds), and a check timeout
// that reaches the probe interval fails check with its line.
func TestCheckWorstCaseAndRoundTimes(t *testing.T) {
	cases := []struct {
		service, want string
		code          int
	}{
		{`    every: "@every 10s"
    check: {timeout: 2s}
`, "up to 16s under zonerw serve = every 10s + timeout 2s + (fall 2 − 1) × (confirm_every 1s + timeout 2s) + NOTIFY/transfer ~1s + TTL 0s; " +
			"a server that refuses connections (crashed) is noticed within 11s = every 10s + (fall 2 − 1) × confirm_every 1s;", exitOK},
		{`    every: "@every 10s"
    confirm_every: 0s
    check: {timeout: 2s}
`, "up to 23s under zonerw serve = every 10s × fall 2 + timeout 2s + NOTIFY/transfer ~1s + TTL 0s; in cron mode", exitOK},
		{`    every: "@every 2s"
    check: {timeout: 2s}
`, `zonerw.yaml:6: services[0].check.timeout: 2s is not shorter than the probe interval 2s (every "@every 2s")`, exitFailure},
	}
	for _, tc := range cases {
		dir := t.TempDir()
		cfg := filepath.Join(dir, "zonerw.yaml")
		text := `services:
  - name: web
    fall: 2
    targets: [{name: main, ipv4: 192.0.2.10}, {name: backup, ipv4: 192.0.2.20}]
` + tc.service + `zones:
  - {name: example.com, template: t.tmpl, output: out.zone}
`
		tmpl := "$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 900 1209600 300 ; @serial number@\n  IN NS ns1\nns1 IN A 192.0.2.53\n"
		for name, body := range map[string]string{cfg: text, filepath.Join(dir, "t.tmpl"): tmpl} {
			if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"check", "-c", cfg}, &stdout, &stderr)
		if code != tc.code || !strings.Contains(stdout.String()+stderr.String(), tc.want) {
			t.Errorf("exit %d, want %d with %q in\n%s%s", code, tc.code, tc.want, &stdout, &stderr)
		}
	}
}
