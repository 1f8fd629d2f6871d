package integration

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// digTemplate is the template docs/dns.md uses for both of its zones: every
// name is relative, so each zone renders it under its own apex.
const digTemplate = `; One template for both zones: names are relative to each zone's apex.
$TTL 3600
@       IN SOA ns1 hostmaster (
                2012080201 ; @serial number@
                3600 900 1209600 300 )
        IN NS   ns1
        IN NS   ns2
ns1     IN A    127.0.0.20
ns2     IN A    127.0.0.30
@       300 IN A   @IP@
www     300 IN A   127.0.0.11 ; @IP@
mail    IN MX   10 @
*.dev   300 IN A   127.0.0.40
`

// digSetup writes docs/dns.md's setup with its own port: example.com may
// be transferred from 127.0.0.1 only, example.net by anyone holding the
// TSIG key "transfer". Nothing listens on the probed port, so the service
// stays on main until the test pins it. It returns the config path and the
// key's secret.
func digSetup(t *testing.T, dnsPort int) (cfg, secret string) {
	t.Helper()
	dir := t.TempDir()
	raw := make([]byte, 32)
	rand.Read(raw)
	secret = base64.StdEncoding.EncodeToString(raw)
	// The format tsig-keygen writes.
	writeFile(t, filepath.Join(dir, "transfer.key"),
		fmt.Sprintf("key \"transfer\" {\n\talgorithm hmac-sha256;\n\tsecret %q;\n};\n", secret))
	writeFile(t, filepath.Join(dir, "zone.tmpl"), digTemplate)
	cfg = filepath.Join(dir, "zonerw.yaml")
	writeFile(t, cfg, fmt.Sprintf(`state_dir: state
server:
  listen: ["127.0.0.1:%d"]
  identity: ns1.example.com
  nsid: ns1
keys:
  - {name: transfer, file: transfer.key}
services:
  - name: web
    every: "@every 1m"
    check: {type: tcp, port: %d, timeout: 500ms}
    targets:
      - {name: main, ipv4: 127.0.0.11}
      - {name: backup, ipv4: 127.0.0.12}
zones:
  - name: example.com
    template: zone.tmpl
    allow_transfer: ["127.0.0.1/32"]
  - name: example.net
    template: zone.tmpl
    allow_transfer: [{key: transfer}]
`, dnsPort, freePort(t, "127.0.0.11")))
	return cfg, secret
}

// runTool runs dig or kdig (bounded to 30 s) and returns its output, stdout
// then stderr, with each line's runs of blanks squeezed to one space so
// the checks do not depend on column alignment. A non-zero exit is not an
// error here: kdig exits 1 when the server refuses, and the output says why.
func runTool(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stdout, stderr strings.Builder
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil && !errors.As(err, new(*exec.ExitError)) {
		t.Fatalf("%s %s: %v", filepath.Base(bin), strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("%s %s: no answer within 30s", filepath.Base(bin), strings.Join(args, " "))
	}
	lines := strings.Split(stdout.String()+stderr.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

// records are the resource-record lines of dig/kdig output (comments and
// the TSIG record left out), in order.
func records(out string) []string {
	var rrs []string
	for _, l := range strings.Split(out, "\n") {
		if l != "" && !strings.HasPrefix(l, ";") && !strings.Contains(l, " TSIG ") {
			rrs = append(rrs, l)
		}
	}
	return rrs
}

// toolCase is one documented command and what its output must contain.
type toolCase struct {
	name string
	bin  string // "dig" or "kdig"
	args []string
	want []string // substrings of the squeezed output
	not  []string // substrings it must not contain
}

func checkToolCase(t *testing.T, bins map[string]string, server []string, tc toolCase) {
	t.Helper()
	out := runTool(t, bins[tc.bin], append(append([]string{}, server...), tc.args...)...)
	for _, w := range tc.want {
		if !strings.Contains(out, w) {
			t.Errorf("%s %s: output lacks %q:\n%s", tc.bin, strings.Join(tc.args, " "), w, out)
		}
	}
	for _, n := range tc.not {
		if strings.Contains(out, n) {
			t.Errorf("%s %s: output has %q:\n%s", tc.bin, strings.Join(tc.args, " "), n, out)
		}
	}
}

// soaLine is the SOA of digTemplate rendered for zone with serial, as
// dig and kdig print it (blanks squeezed).
func soaLine(zone string, ttl int, serial uint32) string {
	return fmt.Sprintf("%[1]s. %[2]d IN SOA ns1.%[1]s. hostmaster.%[1]s. %[3]d 3600 900 1209600 300", zone, ttl, serial)
}

// queryCases are docs/dns.md's queries and transfers, with what each shows.
func queryCases(serial uint32, secret, kdigKey string) []toolCase {
	soa := soaLine("example.com", 3600, serial)
	negSOA := soaLine("example.com", 300, serial) // RFC 2308: min(SOA TTL, MINIMUM)
	right := "hmac-sha256:transfer:" + secret
	wrong := "hmac-sha256:transfer:" + base64.StdEncoding.EncodeToString(make([]byte, 32))
	return []toolCase{
		{"dig SOA", "dig", []string{"example.com", "SOA"},
			[]string{"status: NOERROR", "flags: qr aa rd;", "ANSWER: 1,", soa}, nil},
		{"dig A", "dig", []string{"www.example.com", "A"},
			[]string{"status: NOERROR", "flags: qr aa rd;", "www.example.com. 300 IN A 127.0.0.11"}, nil},
		{"dig NODATA", "dig", []string{"www.example.com", "AAAA"},
			[]string{"status: NOERROR", "ANSWER: 0, AUTHORITY: 1,", negSOA}, nil},
		{"dig NXDOMAIN", "dig", []string{"nosuch.example.com", "A"},
			[]string{"status: NXDOMAIN", "flags: qr aa rd;", "ANSWER: 0, AUTHORITY: 1,", negSOA}, nil},
		{"dig wildcard", "dig", []string{"anything.dev.example.com", "A"},
			[]string{"status: NOERROR", "anything.dev.example.com. 300 IN A 127.0.0.40"}, nil},
		{"dig other zone", "dig", []string{"www.example.org", "A"},
			[]string{"status: REFUSED", "flags: qr rd;"}, nil},
		{"dig AXFR allowed", "dig", []string{"example.com", "AXFR"},
			[]string{soa, "*.dev.example.com. 300 IN A 127.0.0.40", "(TCP)", "XFR size: 10 records"}, []string{"Transfer failed"}},
		{"dig AXFR from 127.0.0.2", "dig", []string{"-b", "127.0.0.2", "example.com", "AXFR"},
			[]string{"; Transfer failed."}, []string{"XFR size"}},
		{"dig AXFR without key", "dig", []string{"example.net", "AXFR"},
			[]string{"; Transfer failed."}, []string{"XFR size"}},
		{"dig -k", "dig", []string{"-k", "transfer.key", "example.net", "AXFR"},
			[]string{soaLine("example.net", 3600, serial), "transfer. 0 ANY TSIG hmac-sha256.", "NOERROR 0", "XFR size: 10 records"},
			[]string{"Couldn't verify", "Transfer failed"}},
		{"dig -y", "dig", []string{"-y", right, "example.net", "AXFR"},
			[]string{"XFR size: 10 records"}, []string{"Couldn't verify", "Transfer failed"}},
		{"dig -y wrong secret", "dig", []string{"-y", wrong, "example.net", "AXFR"},
			[]string{"BADSIG", "; Transfer failed."}, []string{"XFR size"}},
		{"dig -y unknown key", "dig", []string{"-y", "hmac-sha256:other:" + secret, "example.net", "AXFR"},
			[]string{"BADKEY", "; Transfer failed."}, []string{"XFR size"}},
		{"dig -y wrong secret SOA", "dig", []string{"-y", wrong, "example.net", "SOA"},
			[]string{"status: NOTAUTH", "BADSIG"}, nil},
		{"dig IXFR from 127.0.0.2", "dig", []string{"-b", "127.0.0.2", "example.com", fmt.Sprintf("IXFR=%d", serial)},
			[]string{"; Transfer failed."}, []string{"XFR size"}},
		{"kdig AXFR over UDP", "kdig", []string{"+notcp", "example.com", "AXFR"},
			[]string{";; ERROR: server replied with error 'NOTIMPL'", "(UDP)"}, []string{"10 records"}},
		{"kdig A", "kdig", []string{"www.example.com", "A"},
			[]string{"status: NOERROR", "Flags: qr aa rd;", "www.example.com. 300 IN A 127.0.0.11"}, nil},
		{"kdig NXDOMAIN", "kdig", []string{"nosuch.example.com", "A"},
			[]string{"status: NXDOMAIN", "AUTHORITY: 1;", negSOA}, nil},
		{"kdig AXFR allowed", "kdig", []string{"example.com", "AXFR"},
			[]string{soa, "(1 messages, 10 records)"}, []string{"ERROR"}},
		{"kdig AXFR from 127.0.0.2", "kdig", []string{"-b", "127.0.0.2", "example.com", "AXFR"},
			[]string{";; ERROR: server replied with error 'REFUSED'"}, []string{"10 records"}},
		{"kdig -y", "kdig", []string{"-y", right, "example.net", "AXFR"},
			[]string{"(1 messages, 10 records)", "NOERROR 0"}, []string{"ERROR:"}},
		{"kdig -k", "kdig", []string{"-k", kdigKey, "example.net", "AXFR"},
			[]string{"(1 messages, 10 records)"}, []string{"ERROR:"}},
		{"kdig -y wrong secret", "kdig", []string{"-y", wrong, "example.net", "AXFR"},
			[]string{";; ERROR: server replied with error 'BADSIG'"}, []string{"10 records"}},
		{"dig -k from another address", "dig", []string{"-b", "127.0.0.2", "-k", "transfer.key", "example.net", "AXFR"},
			[]string{"XFR size: 10 records"}, []string{"Transfer failed"}},
		{"dig id.server", "dig", []string{"id.server", "CH", "TXT"},
			[]string{"status: NOERROR", "flags: qr rd;", `id.server. 0 CH TXT "ns1.example.com"`}, []string{"flags: qr aa"}},
		{"dig hostname.bind", "dig", []string{"+short", "hostname.bind", "CH", "TXT"},
			[]string{`"ns1.example.com"`}, nil},
		{"dig version.bind", "dig", []string{"version.bind", "CH", "TXT"},
			[]string{"status: REFUSED"}, []string{"ANSWER SECTION"}},
		{"dig +nsid", "dig", []string{"+nsid", "example.com", "SOA"},
			[]string{`; NSID: 6e 73 31 ("ns1")`}, nil},
		{"dig cookie", "dig", []string{"example.com", "SOA"},
			[]string{"; COOKIE: ", " (good)"}, nil},
		{"dig cookie alone", "dig", []string{"+header-only", "+cookie"},
			[]string{"status: NOERROR", "QUERY: 0, ANSWER: 0", "; COOKIE: ", " (good)"}, []string{"FORMERR"}},
		{"kdig +nsid +cookie", "kdig", []string{"+nsid", "+cookie", "example.com", "SOA"},
			[]string{`;; NSID: 6E7331 "ns1"`, ";; COOKIE: "}, nil},
		{"dig NOTIFY", "dig", []string{"+opcode=notify", "example.com", "SOA"},
			[]string{"opcode: NOTIFY, status: REFUSED", "flags: qr rd;"}, nil},
	}
}

// TestDigAgainstServe runs docs/dns.md's dig and kdig commands against a
// real zonerw serve and checks that each shows what the document says.
func TestDigAgainstServe(t *testing.T) {
	bins := map[string]string{
		"dig":  needTool(t, "dig", "dnsutils"),
		"kdig": needTool(t, "kdig", "knot-dnsutils"),
	}
	port := freePort(t, "127.0.0.1")
	cfg, secret := digSetup(t, port)
	dir := filepath.Dir(cfg)
	kdigKey := filepath.Join(dir, "transfer.kdig")
	writeFile(t, kdigKey, "hmac-sha256:transfer:"+secret+"\n")
	d := startServe(t, cfg)
	server := fmt.Sprintf("127.0.0.1:%d", port)
	waitForA(t, server, "www.example.com", "127.0.0.11", 20*time.Second)
	serial := soaSerial(t, server)

	at := []string{"@127.0.0.1", "-p", fmt.Sprint(port)}
	for _, tc := range queryCases(serial, secret, kdigKey) {
		t.Run(tc.name, func(t *testing.T) {
			// dig -k reads transfer.key relative to where it runs.
			tc.args = resolveKeyFile(tc.args, dir)
			checkToolCase(t, bins, at, tc)
		})
	}
	diff := checkIXFR(t, bins, at, cfg, server, serial)
	d.stop(t)

	// The journal is in the state directory: after a restart the same
	// IXFR still gets the difference alone.
	d = startServe(t, cfg)
	waitForA(t, server, "www.example.com", "127.0.0.12", 20*time.Second)
	args := append(append([]string{}, at...), "example.com", fmt.Sprintf("IXFR=%d", serial))
	if got := records(runTool(t, bins["dig"], args...)); strings.Join(got, "\n") != strings.Join(diff, "\n") {
		t.Errorf("IXFR after a restart: got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(diff, "\n"))
	}
	d.stop(t)
}

// resolveKeyFile turns "-k transfer.key" into the file in dir.
func resolveKeyFile(args []string, dir string) []string {
	out := append([]string{}, args...)
	for i := 1; i < len(out); i++ {
		if out[i-1] == "-k" && !filepath.IsAbs(out[i]) {
			out[i] = filepath.Join(dir, out[i])
		}
	}
	return out
}

// checkIXFR follows docs/dns.md's IXFR section: up to date, then one
// failover (a pin) later the difference alone, an unknown serial answered
// with the whole zone, and over UDP the SOA alone. It returns the
// difference an IXFR from old gets.
func checkIXFR(t *testing.T, bins map[string]string, at []string, cfg, server string, old uint32) []string {
	t.Helper()
	ixfr := func(bin string, extra ...string) []string {
		return records(runTool(t, bins[bin], append(append(append([]string{}, at...), extra...), "example.com")...))
	}
	equal := func(what string, got, want []string) {
		t.Helper()
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: got\n%s\nwant\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	oldSOA := soaLine("example.com", 3600, old)
	equal("IXFR at the current serial", ixfr("dig", fmt.Sprintf("IXFR=%d", old)), []string{oldSOA})

	if code, out, errOut := runZonerw(t, "pin", "-c", cfg, "web", "backup", "--for", "1h", "--reason", "dig test"); code != 0 {
		t.Fatalf("pin: exit %d %s %s", code, out, errOut)
	}
	waitForA(t, server, "www.example.com", "127.0.0.12", 10*time.Second)
	serial := soaSerial(t, server)
	if !serialGreater(serial, old) {
		t.Fatalf("after the pin the serial is %d, was %d", serial, old)
	}
	newSOA := soaLine("example.com", 3600, serial)
	diff := []string{
		newSOA,
		oldSOA, "example.com. 300 IN A 127.0.0.11", "www.example.com. 300 IN A 127.0.0.11",
		newSOA, "example.com. 300 IN A 127.0.0.12", "www.example.com. 300 IN A 127.0.0.12",
		newSOA,
	}
	for _, bin := range []string{"dig", "kdig"} {
		equal(bin+" IXFR from the previous serial", ixfr(bin, fmt.Sprintf("IXFR=%d", old)), diff)
	}
	full := ixfr("dig", "IXFR=2012080201")
	if len(full) != 10 || full[0] != newSOA || full[9] != newSOA {
		t.Errorf("IXFR from a serial not in the journal: want the whole zone (10 records), got\n%s", strings.Join(full, "\n"))
	}
	equal("IXFR over UDP", ixfr("dig", "+notcp", fmt.Sprintf("IXFR=%d", old)), []string{newSOA})
	return diff
}
