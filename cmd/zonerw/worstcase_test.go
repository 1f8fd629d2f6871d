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
