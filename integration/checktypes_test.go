package integration

import (
	"crypto/tls"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// checksSetup writes a config with the given top-level keys and services
// (YAML list items) and a zone with a record <name> 300 IN A @IP:<name>@
// for each service name. It returns the config and output zone paths.
func checksSetup(t *testing.T, top, services string, names ...string) (cfg, out string) {
	t.Helper()
	dir := t.TempDir()
	cfg, out = filepath.Join(dir, "zonerw.yaml"), filepath.Join(dir, "out", "example.com.zone")
	writeFile(t, cfg, "state_dir: state\n"+top+"\nservices:"+services+
		"zones:\n  - {name: example.com, template: example.com.tmpl, output: out/example.com.zone}\n")
	tmpl := "$ORIGIN example.com.\n$TTL 3600\n@ IN SOA ns1.example.com. hostmaster.example.com. ( 2012080201 ; @serial number@\n 3600 900 1209600 300 )\n  IN NS ns1.example.com.\nns1 IN A 127.0.0.53\n"
	for _, n := range names {
		tmpl += fmt.Sprintf("%s 300 IN A @IP:%s@\n", n, n)
	}
	writeFile(t, filepath.Join(dir, "example.com.tmpl"), tmpl)
	return cfg, out
}

// zoneA is the address of name's A record in the zone file at path.
func zoneA(t *testing.T, path, name string) string {
	t.Helper()
	for _, line := range strings.Split(readFile(t, path), "\n") {
		if f := strings.Fields(line); len(f) == 5 && f[0] == name && f[3] == "A" {
			return f[4]
		}
	}
	t.Fatalf("no A record for %s in %s", name, path)
	return ""
}

// wantZone fails unless each name's A record in the zone at out is want[name].
func wantZone(t *testing.T, out, when string, want map[string]string) {
	t.Helper()
	for name, addr := range want {
		if got := zoneA(t, out, name); got != addr {
			t.Errorf("%s: %s points at %s, want %s", when, name, got, addr)
		}
	}
}

// explain runs zonerw explain for service and fails unless its output
// holds every one of want.
func explain(t *testing.T, cfg, service string, want ...string) {
	t.Helper()
	code, out, errOut := runZonerw(t, "explain", "-c", cfg, service)
	for _, w := range want {
		if code != 0 || !strings.Contains(out, w) {
			t.Errorf("explain %s: exit %d, want %q in\n%s%s", service, code, w, out, errOut)
		}
	}
}

// waitLog polls log until it holds substr.
func waitLog(t *testing.T, what string, log func() string, substr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(log(), substr) {
		if time.Now().After(deadline) {
			t.Fatalf("%s never logged %q:\n%s", what, substr, log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Postfix on main accepts connections and greets, then refuses EHLO: a
// TCP check sees it up, the smtp check sees it down and the mail name
// moves to the backup, whose STARTTLS (with the service's host as name)
// passes. Every probe leaves from the check's source, 127.0.0.53, as
// Postfix's own log shows.
func TestCronModeSMTPAgainstPostfix(t *testing.T) {
	certs := daemonDir(t, "zonerw-certs-")
	ca := newTestCA(t, certs)
	cert, key := ca.issue(t, certs, "mx", "mx.example.com", time.Now().Add(90*24*time.Hour))
	port := portOnBoth(t, "127.0.0.11", "127.0.0.12")
	pf := startPostfix(t, cert, key,
		postfixService{listen: fmt.Sprintf("127.0.0.11:%d", port), options: []string{"smtpd_delay_reject=no", "smtpd_helo_restrictions=reject"}},
		postfixService{listen: fmt.Sprintf("127.0.0.12:%d", port)})
	cfg, out := checksSetup(t, "", fmt.Sprintf(`
  - name: mail
    check: {type: smtp, port: %[1]d, starttls: true, host: mx.example.com, ca_file: %[2]s, source: 127.0.0.53, timeout: 5s}
    rise: 2
    fall: 2
    targets: [{name: main, ipv4: 127.0.0.11}, {name: backup, ipv4: 127.0.0.12}]
  - name: port25
    check: {type: tcp, port: %[1]d, timeout: 5s}
    rise: 2
    fall: 2
    targets: [{name: main, ipv4: 127.0.0.11}, {name: backup, ipv4: 127.0.0.12}]
`, port, ca.file), "mail", "port25")

	mustRun(t, cfg)
	wantZone(t, out, "after one failed run (fall 2)", map[string]string{"mail": "127.0.0.11", "port25": "127.0.0.11"})
	if stdout := mustRun(t, cfg); !strings.Contains(stdout, "switch mail: main -> backup") {
		t.Errorf("the switch was not reported: %q", stdout)
	}
	wantZone(t, out, "after two failed runs", map[string]string{"mail": "127.0.0.12", "port25": "127.0.0.11"})
	explain(t, cfg, "mail",
		"SMTP EHLO 554 5.7.1 <[127.0.0.53]>: Helo command rejected: Access denied",
		"SMTP 250 after EHLO over STARTTLS (TLS 1.3, certificate valid 89d more)")
	log := func() string { return pf.log(t) }
	waitLog(t, "Postfix", log, "NOQUEUE: reject: EHLO from unknown[127.0.0.53]")
	waitLog(t, "Postfix", log, "disconnect from unknown[127.0.0.53] ehlo=0/1 quit=1")
	waitLog(t, "Postfix", log, "disconnect from unknown[127.0.0.53] ehlo=2 starttls=1")
}

// Dovecot serves main with a certificate that expires tomorrow and the
// backup with one good for 90 days. With cert_min_valid 48h the imap
// check over STARTTLS moves the name to the backup; a plain imap check,
// which only reads the greeting, keeps main. The probes leave from
// probe_source, as Dovecot's log shows.
func TestCronModeIMAPAgainstDovecot(t *testing.T) {
	certs := daemonDir(t, "zonerw-certs-")
	ca := newTestCA(t, certs)
	later, laterKey := ca.issue(t, certs, "later", "imap.example.com", time.Now().Add(90*24*time.Hour))
	soon, soonKey := ca.issue(t, certs, "soon", "imap.example.com", time.Now().Add(24*time.Hour))
	port := portOnBoth(t, "127.0.0.11", "127.0.0.12")
	dc := startDovecot(t, port, []string{"127.0.0.11", "127.0.0.12"}, later, laterKey,
		map[string][2]string{"127.0.0.11": {soon, soonKey}})
	cfg, out := checksSetup(t, "probe_source: 127.0.0.53", fmt.Sprintf(`
  - name: imap
    check: {type: imap, port: %[1]d, starttls: true, host: imap.example.com, ca_file: %[2]s, cert_min_valid: 48h, timeout: 5s}
    rise: 2
    fall: 2
    targets: [{name: main, ipv4: 127.0.0.11}, {name: backup, ipv4: 127.0.0.12}]
  - name: greeting
    check: {type: imap, port: %[1]d, timeout: 5s}
    rise: 2
    fall: 2
    targets: [{name: main, ipv4: 127.0.0.11}, {name: backup, ipv4: 127.0.0.12}]
`, port, ca.file), "imap", "greeting")

	mustRun(t, cfg)
	mustRun(t, cfg)
	wantZone(t, out, "after two runs", map[string]string{"imap": "127.0.0.12", "greeting": "127.0.0.11"})
	explain(t, cfg, "imap",
		`IMAP STARTTLS, TLS 1.3, certificate "imap.example.com" expires in 23h5`, "want at least 2d",
		"IMAP OK greeting over STARTTLS (TLS 1.3, certificate valid 89d more)")
	explain(t, cfg, "greeting", "IMAP OK greeting")
	waitLog(t, "Dovecot", func() string { return dc.log(t) }, "rip=127.0.0.53, lip=127.0.0.12, TLS")
}

// startHandshakes completes TLS handshakes on addr with the certificate
// in certFile/keyFile and closes each connection, until the test ends.
func startHandshakes(t *testing.T, addr, certFile, keyFile string) {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", addr, &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(10 * time.Second))
				_ = conn.(*tls.Conn).Handshake()
			})
		}
	})
}

// A web server whose certificate expires tomorrow is down for a tls check
// that wants two days left; the name moves to the backup, whose
// certificate is good for 90 days.
func TestCronModeTLSCertificateExpiresTomorrow(t *testing.T) {
	dir := t.TempDir()
	ca := newTestCA(t, dir)
	soon, soonKey := ca.issue(t, dir, "soon", "www.example.com", time.Now().Add(24*time.Hour))
	later, laterKey := ca.issue(t, dir, "later", "www.example.com", time.Now().Add(90*24*time.Hour))
	port := portOnBoth(t, "127.0.0.11", "127.0.0.12")
	startHandshakes(t, fmt.Sprintf("127.0.0.11:%d", port), soon, soonKey)
	startHandshakes(t, fmt.Sprintf("127.0.0.12:%d", port), later, laterKey)
	cfg, out := checksSetup(t, "", fmt.Sprintf(`
  - name: www
    check: {type: tls, port: %d, host: www.example.com, ca_file: %s, cert_min_valid: 48h, timeout: 5s}
    rise: 2
    fall: 2
    targets: [{name: main, ipv4: 127.0.0.11}, {name: backup, ipv4: 127.0.0.12}]
`, port, ca.file), "www")
	mustRun(t, cfg)
	wantZone(t, out, "after one failed run (fall 2)", map[string]string{"www": "127.0.0.11"})
	mustRun(t, cfg)
	wantZone(t, out, "after two failed runs", map[string]string{"www": "127.0.0.12"})
	explain(t, cfg, "www", `TLS 1.3, certificate "www.example.com" expires in 23h5`, "want at least 2d",
		"TLS 1.3, certificate valid 89d more")
}
