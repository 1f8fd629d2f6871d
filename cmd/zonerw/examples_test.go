package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
)

// Every example config loads, and its templates parse and render.
func TestExamplesLoad(t *testing.T) {
	files, _ := filepath.Glob("../../examples/*.yaml")
	if len(files) == 0 {
		t.Fatal("no example configs found")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			cfg, err := config.Load(f)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := build(cfg); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The config reference in README.md is a config zonerw accepts.
func TestReadmeConfigParses(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllSubmatch(readme, -1)
	if len(blocks) == 0 {
		t.Fatal("README.md has no yaml block")
	}
	for i, b := range blocks {
		if _, err := config.Parse(fmt.Sprintf("README.md block %d", i+1), b[1]); err != nil {
			t.Errorf("README yaml block %d: %v", i+1, err)
		}
	}
}

// check changes nothing and exits 0 on the shipped example.
func TestCheckChangesNothing(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"zonerw.yaml", "example.com.zone.tmpl"} {
		data, err := os.ReadFile(filepath.Join("../../examples", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"check", "-c", filepath.Join(dir, "zonerw.yaml")}, &stdout, &stderr)
	worst := "service web: clients may see a dead target for up to 5m19s under zonerw serve = every 10s + timeout 2s + (fall 3 − 1) × (confirm_every 1s + timeout 2s) + NOTIFY/transfer ~1s + TTL 300s (plus up to 300s" +
		" for a client holding a cached negative answer); a server that refuses connections (crashed) is noticed within 12s = every 10s + (fall 3 − 1) × confirm_every 1s;"
	if code != exitOK || !strings.Contains(stdout.String(), "a run would write") || !strings.Contains(stdout.String(), worst) {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, &stdout, &stderr)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("check created files: %v", entries)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"--help"}, exitOK},
		{[]string{"check", "--help"}, exitOK},
		{[]string{"--no-such-flag"}, exitUsage},
		{[]string{"check", "extra"}, exitUsage},
		{[]string{"-c", "/nonexistent/zonerw.yaml"}, exitFailure},
	}
	for _, tc := range tests {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), tc.args, &stdout, &stderr); code != tc.code {
			t.Errorf("%v: exit %d, want %d\nstderr: %s", tc.args, code, tc.code, &stderr)
		}
	}
}
