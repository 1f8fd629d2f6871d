package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const checkTypesYAML = `probe_source: 127.0.0.53
witnesses:
  - {name: gateway, address: "127.0.0.1:22"}
  - {name: vpn, address: "127.0.0.2:22", source: 127.0.0.54}
services:
  - name: smtp
    check: {type: smtp, starttls: true, host: mx.example.com, cert_min_valid: 72h}
    targets: [{name: main, ipv4: 127.0.0.10}]
  - name: smtps
    check: {type: smtp, implicit_tls: true, ehlo: backup.example.net}
    targets: [{name: main, ipv4: 127.0.0.10}]
  - name: imap
    check: {type: imap, starttls: true}
    targets: [{name: main, ipv4: 127.0.0.10}]
  - name: imaps
    check: {type: imap, implicit_tls: true, source: 127.0.0.1}
    targets: [{name: main, ipv4: 127.0.0.10}]
  - name: tls
    check: {type: tls, host: www.example.com, cert_min_valid: 168h}
    targets: [{name: main, ipv4: 127.0.0.10}]
  - name: dns
    check: {type: dns, query_name: www.example.com, recurse: true}
    targets: [{name: main, ipv4: 127.0.0.10}]
  - name: exec
    check: {type: exec, command: [/usr/local/bin/check-site, --quick], timeout: 20s}
    targets: [{name: main, ipv4: 127.0.0.10}]
zones:
  - {name: example.com, template: t.tmpl, output: o.zone}
`

func TestCheckTypeDefaults(t *testing.T) {
	c, err := Parse("z.yaml", []byte(checkTypesYAML))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		port   int
		source string
	}{
		"smtp": {25, "127.0.0.53"}, "smtps": {465, "127.0.0.53"}, "imap": {143, "127.0.0.53"},
		"imaps": {993, "127.0.0.1"}, "tls": {443, "127.0.0.53"}, "dns": {53, "127.0.0.53"}, "exec": {0, "127.0.0.53"},
	}
	for _, s := range c.Services {
		w := want[s.Name]
		if s.Check.Port != w.port || s.Check.Source != w.source {
			t.Errorf("service %s: port %d source %q, want %d %q", s.Name, s.Check.Port, s.Check.Source, w.port, w.source)
		}
	}
	if dnsCheck := c.Services[5].Check; dnsCheck.QueryType != "A" || dnsCheck.QueryTypeCode() != 1 {
		t.Errorf("dns query type %q (%d), want A (1)", dnsCheck.QueryType, dnsCheck.QueryTypeCode())
	}
	if c.Witnesses[0].Source != "127.0.0.53" || c.Witnesses[1].Source != "127.0.0.54" {
		t.Errorf("witness sources %q %q, want probe_source and its own", c.Witnesses[0].Source, c.Witnesses[1].Source)
	}
}

// A source that probe_source gives a check is blamed on probe_source,
// naming the service whose targets it cannot reach.
func TestProbeSourceFamilyNamesTheService(t *testing.T) {
	text := strings.Replace(checkTypesYAML, "ipv4: 127.0.0.10}]\n  - name: dns", "ipv6: \"::1\"}]\n  - name: dns", 1)
	_, err := Parse("z.yaml", []byte(text))
	want := `z.yaml:1: probe_source: service "tls": 127.0.0.53 is IPv4, but target "main" is checked on IPv6 address ::1`
	if err == nil || err.Error() != want {
		t.Fatalf("error\n got: %v\nwant: %s", err, want)
	}
}

func TestVerifySourcesLocal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "zonerw.yaml")
	if err := os.WriteFile(path, []byte(checkTypesYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	loopback := netip.MustParsePrefix("127.0.0.1/8")
	if err := c.VerifySourcesLocal([]netip.Prefix{loopback}); err != nil {
		t.Errorf("every 127/8 address is local on lo's 127.0.0.1/8: %v", err)
	}
	// Only 127.0.0.1 itself, as a host with a /32 on lo would have it.
	err = c.VerifySourcesLocal([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("192.0.2.5/24")})
	want := strings.Join([]string{
		path + ":1: probe_source: 127.0.0.53 is not an address of this host, so no probe could leave from it",
		path + ":4: witnesses[1].source: 127.0.0.54 is not an address of this host, so no probe could leave from it",
	}, "\n")
	if err == nil || err.Error() != want {
		t.Errorf("error\n got: %v\nwant: %s", err, want)
	}
	// An address in a non-loopback interface's prefix is not the host's.
	c.ProbeSource = "192.0.2.6"
	err = c.VerifySourcesLocal([]netip.Prefix{loopback, netip.MustParsePrefix("192.0.2.5/24")})
	if err == nil || !strings.Contains(err.Error(), "probe_source: 192.0.2.6 is not an address of this host") {
		t.Errorf("192.0.2.6 accepted as local beside 192.0.2.5/24: %v", err)
	}
}

func TestCAFileIsRead(t *testing.T) {
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "zonerw test CA"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	write("not-a-ca.pem", "hello\n")
	cfg := "services:\n  - name: mail\n    check: {type: smtp, starttls: true, ca_file: %s}\n    targets: [{name: main, ipv4: 127.0.0.10}]\nzones:\n  - {name: example.com, template: t.tmpl, output: o.zone}\n"
	write("good.yaml", strings.Replace(cfg, "%s", "ca.pem", 1))
	write("bad.yaml", strings.Replace(cfg, "%s", "not-a-ca.pem", 1))
	c, err := Load(filepath.Join(dir, "good.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Services[0].Check.RootCAs == nil || c.Services[0].Check.RootCAs.Equal(x509.NewCertPool()) {
		t.Error("ca_file was not read into RootCAs")
	}
	_, err = Load(filepath.Join(dir, "bad.yaml"))
	want := filepath.Join(dir, "bad.yaml") + ":3: services[0].check.ca_file: " + filepath.Join(dir, "not-a-ca.pem") + " holds no PEM certificate"
	if err == nil || err.Error() != want {
		t.Errorf("error\n got: %v\nwant: %s", err, want)
	}
}
