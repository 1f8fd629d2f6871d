package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/probe"
)

const probersTemplate = "$ORIGIN example.com.\n@ 3600 IN SOA ns1 host ( 1 ; @serial number@\n 3600 900 1209600 300 )\n  IN NS ns1\nns1 IN A 127.0.0.53\nwww 300 IN A @IP:web@\n"

// writeProbersConfig writes a config with one service per check type (the
// exec one named web, for the template) and returns its path.
func writeProbersConfig(t *testing.T, top, witnesses string) string {
	t.Helper()
	dir := t.TempDir()
	yaml := top + `
witnesses:
` + witnesses + `
services:
  - name: web
    check: {type: exec, command: [/bin/sh, -c, 'echo "$ZONERW_SERVICE $ZONERW_TARGET $ZONERW_ADDR $ZONERW_SOURCE"'], timeout: 8s}
    targets: [{name: main, ipv4: 127.0.0.10}, {name: backup, ipv4: 127.0.0.20}]
  - name: mail
    check: {type: smtp, starttls: true, host: mx.example.com, cert_min_valid: 72h, source: 127.0.0.1}
    targets: [{name: main, ipv4: 127.0.0.10}]
  - name: imap
    check: {type: imap, implicit_tls: true}
    targets: [{name: main, ipv4: 127.0.0.10}]
  - name: cert
    check: {type: tls, host: www.example.com}
    targets: [{name: main, ipv4: 127.0.0.10}]
  - name: ns
    check: {type: dns, query_name: www.example.com, query_type: aaaa}
    targets: [{name: main, ipv4: 127.0.0.10}]
  - name: site
    check: {type: http, url: "https://{addr}/health"}
    targets: [{name: main, ipv4: 127.0.0.10}]
  - name: ssh
    check: {type: tcp, port: 22}
    targets: [{name: main, ipv4: 127.0.0.10}]
zones:
  - {name: example.com, template: t.tmpl, output: out.zone}
`
	if err := os.WriteFile(filepath.Join(dir, "zonerw.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "t.tmpl"), []byte(probersTemplate), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "zonerw.yaml")
}

func TestNewProberForEachType(t *testing.T) {
	path := writeProbersConfig(t, "probe_source: 127.0.0.53", `  - {name: gateway, address: "127.0.0.1:22"}`)
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	src := netip.MustParseAddr("127.0.0.53")
	want := []string{
		fmt.Sprintf("%+v", &probe.Exec{Command: cfg.Services[0].Check.Command, Service: "web", Target: "main", Source: src}),
		fmt.Sprintf("%+v", &probe.SMTP{Port: 25, StartTLS: true, TLS: probe.TLSOptions{Host: "mx.example.com", MinValid: 72 * time.Hour}, Source: netip.MustParseAddr("127.0.0.1")}),
		fmt.Sprintf("%+v", &probe.IMAP{Port: 993, ImplicitTLS: true, Source: src}),
		fmt.Sprintf("%+v", &probe.TLSHandshake{Port: 443, TLS: probe.TLSOptions{Host: "www.example.com"}, Source: src}),
		fmt.Sprintf("%+v", &probe.DNS{Port: 53, Name: "www.example.com.", Type: 28, Source: src}),
		fmt.Sprintf("%+v", &probe.HTTP{URL: "https://{addr}/health", Source: src}),
		fmt.Sprintf("%+v", &probe.TCP{Port: 22, Source: src}),
	}
	for i, s := range cfg.Services {
		if got := fmt.Sprintf("%+v", newProber(s.Check, s.Name, s.Targets[0].Name)); got != want[i] {
			t.Errorf("service %s:\n got %s\nwant %s", s.Name, got, want[i])
		}
	}
}

// build wires each target's own name into its exec check, and the
// witness binds its source.
func TestBuildWiresTargetsAndWitnessSource(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peers := make(chan string, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			peers <- c.RemoteAddr().String()
			c.Close()
		}
	}()
	witness := fmt.Sprintf(`  - {name: gateway, address: "%s", source: 127.0.0.54}`, ln.Addr())
	cfg, err := config.Load(writeProbersConfig(t, "probe_source: 127.0.0.53", witness))
	if err != nil {
		t.Fatal(err)
	}
	a, err := build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for i, want := range []string{"web main 127.0.0.10 127.0.0.53", "web backup 127.0.0.20 127.0.0.53"} {
		if r := a.jobs[0].Targets[i].Run(ctx); !r.OK || r.Reason != want {
			t.Errorf("exec check of target %d: %+v, want OK with reason %q", i, r, want)
		}
	}
	if r := a.witness[0].Run(ctx); !r.OK {
		t.Fatalf("witness check failed: %+v", r)
	}
	if peer := <-peers; !strings.HasPrefix(peer, "127.0.0.54:") {
		t.Errorf("witness check came from %s, want 127.0.0.54", peer)
	}
}

func TestCheckVerifiesSources(t *testing.T) {
	for _, tc := range []struct {
		top, witness string
		code         int
		want         string
	}{
		{"probe_source: 127.0.0.53", `  - {name: gateway, address: "127.0.0.1:22"}`, exitOK,
			"service web: clients may see a dead target for up to 5m37.6s under zonerw serve = every 10s + timeout 8s + 200ms to kill the command + (fall 3 − 1) × (confirm_every 1s + timeout 8s + 200ms to kill the command) + NOTIFY/transfer ~1s + TTL 300s"},
		{"probe_source: 127.0.0.53", `  - {name: gateway, address: "127.0.0.1:22", source: 192.0.2.77}`, exitFailure,
			`:3: witnesses[0].source: 192.0.2.77 is not an address of this host, so no probe could leave from it`},
	} {
		path := writeProbersConfig(t, tc.top, tc.witness)
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), []string{"check", "-c", path}, &stdout, &stderr)
		if code != tc.code || !strings.Contains(stdout.String()+stderr.String(), tc.want) {
			t.Errorf("check exited %d, want %d with %q\nstdout: %s\nstderr: %s", code, tc.code, tc.want, &stdout, &stderr)
		}
		if tc.code == exitOK && !strings.Contains(stdout.String(), "service mail: serving main (rise 2, fall 3, smtp check from 127.0.0.1)") {
			t.Errorf("check does not show the source:\n%s", &stdout)
		}
	}
}

// TestCheckNamesAMissingTemplatesKey: a template file that cannot be read
// is reported with the config file, the line and the key that names it.
func TestCheckNamesAMissingTemplatesKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "zonerw.yaml")
	cfg := "services:\n  - name: web\n    check: {type: http, url: \"http://{addr}/\"}\n    targets:\n      - {name: main, ipv4: 127.0.0.10}\n" +
		"zones:\n  - name: example.com\n    template: missing.zone.tmpl\n    output: out.zone\n"
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"check", "-c", path}, &stdout, &stderr)
	want := path + ":8: zones[0].template: zone example.com: cannot read the template: open " + filepath.Join(dir, "missing.zone.tmpl") + ": no such file or directory"
	if code != exitFailure || !strings.Contains(stderr.String(), want) {
		t.Errorf("check exited %d, want %d with %q\nstderr: %s", code, exitFailure, want, &stderr)
	}
}

// TestCheckFindsWhatARunWouldFailOn: a state_dir that is a file, an output
// that is a directory or lies under a file, and a reload command not on
// the PATH fail zonerw check, as they fail the run; check passed them.
func TestCheckFindsWhatARunWouldFailOn(t *testing.T) {
	tmpl := "$ORIGIN example.com.\n$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 900 1209600 300 ; @serial number@\n@ IN NS ns1\nns1 IN A 127.0.0.53\nwww IN A @IP@\n"
	cases := []struct{ name, state, zone, want string }{
		{"state_dir is a file", "statefile", "output: out.zone", "state_dir " + "%s/statefile is not a directory"},
		{"output is a directory", "state", "output: outdir", "zones[0] (example.com) output: %s/outdir is not a regular file"},
		{"output under a file", "state", "output: statefile/x.zone", "zones[0] (example.com) output: stat %s/statefile/x.zone: not a directory"},
		{"reload command missing", "state", "output: out.zone\n    reload: {command: [no-such-reload-command]}", `zones[0] (example.com) reload.command: exec: "no-such-reload-command": executable file not found in $PATH`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "statefile"), []byte("x"), 0o644)
			os.Mkdir(filepath.Join(dir, "outdir"), 0o755)
			os.WriteFile(filepath.Join(dir, "t.tmpl"), []byte(tmpl), 0o644)
			path := filepath.Join(dir, "zonerw.yaml")
			cfg := "state_dir: " + tc.state + "\nservices:\n  - name: web\n    check: {type: tcp, port: 80}\n    targets:\n      - {name: main, ipv4: 127.0.0.10}\n" +
				"zones:\n  - name: example.com\n    template: t.tmpl\n    " + tc.zone + "\n"
			os.WriteFile(path, []byte(cfg), 0o644)
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"check", "-c", path}, &stdout, &stderr)
			want := strings.ReplaceAll(tc.want, "%s", dir)
			if code != exitFailure || !strings.Contains(stderr.String(), want) {
				t.Errorf("check exited %d, want %d with %q\nstderr: %s", code, exitFailure, want, &stderr)
			}
		})
	}
}
