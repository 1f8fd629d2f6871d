package integration

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/zonerw/zonerw/integration/peers"
)

// The addresses of the import test: zonerw serves the imported zones on
// importPrimaryIP, an NSD secondary transfers them on importSecondaryIP.
const (
	importPrimaryIP   = "127.0.0.61"
	importSecondaryIP = "127.0.0.62"
)

// importZones are the zones of the old setup, with the serial each file has.
var importZones = []struct {
	name   string
	serial uint32
	www    string
}{
	{name: "example.com", serial: 2024050101, www: "192.0.2.10"},
	{name: "example.net", serial: 2024050202, www: "192.0.2.20"},
}

// TestImportServesToNSD: an nsd.conf and a named.conf that their own
// checkers accept (a TSIG key, two zones, notify with a key and without,
// provide-xfr/allow-transfer with a key, and for example.net "127.0.0.1
// unsigned, or anyone with the key") are imported with no note about
// transfers; zonerw check accepts each generated config, and zonerw serve
// started from it serves both zones to an NSD secondary that transfers
// them, signed where the source said so and example.net unsigned from
// 127.0.0.1. A transfer of example.net signed with the key from another
// loopback address is accepted too, and an unsigned one from there
// refused, as the old server had it.
func TestImportServesToNSD(t *testing.T) {
	nsd := needTool(t, "nsd", "nsd")
	secret := make([]byte, 32)
	rand.Read(secret)
	key := base64.StdEncoding.EncodeToString(secret)
	for _, src := range []struct {
		name, checker, pkg string
		conf               func(dir string, primary, secondary int, key string) string
	}{
		{name: "nsd.conf", checker: "nsd-checkconf", pkg: "nsd", conf: oldNSDConf},
		{name: "named.conf", checker: "named-checkconf", pkg: "bind9-utils", conf: oldNamedConf},
	} {
		t.Run(src.name, func(t *testing.T) {
			dir := t.TempDir()
			primary, secondary := freePort(t, importPrimaryIP), freePort(t, importSecondaryIP)
			for _, z := range importZones {
				writeFile(t, filepath.Join(dir, z.name+".zone"), oldZoneFile(z.name, z.serial, z.www))
			}
			conf := filepath.Join(dir, src.name)
			writeFile(t, conf, src.conf(dir, primary, secondary, key))
			if out, err := exec.Command(needTool(t, src.checker, src.pkg), conf).CombinedOutput(); err != nil {
				t.Fatalf("%s refuses the source config: %v\n%s", src.checker, err, out)
			}

			cfg, notes := importConfig(t, conf, dir)
			if strings.Contains(notes, "provide-xfr") || strings.Contains(notes, "allow-transfer") || strings.Contains(notes, "transfers") {
				t.Errorf("zonerw import left transfer rules out:\n%s", notes)
			}
			if y := readFile(t, cfg); !strings.Contains(y, `- "127.0.0.1"`) || !strings.Contains(y, "key: transfer}") {
				t.Errorf("example.net's entries are not \"127.0.0.1\" and one with the key:\n%s", y)
			}
			if out, err := exec.Command(zonerwBin, "check", "-c", cfg).CombinedOutput(); err != nil {
				t.Fatalf("zonerw check refuses the imported config: %v\n%s\n%s", err, out, readFile(t, cfg))
			}
			startServe(t, cfg)

			sec := t.TempDir()
			writeFile(t, filepath.Join(sec, "nsd.conf"), importSecondaryConf(sec, secondary, primary, key))
			startNSDIn(t, nsd, sec)
			at := fmt.Sprintf("%s:%d", importSecondaryIP, secondary)
			for _, z := range importZones {
				waitForSOA(t, at, z.name, z.serial, 30*time.Second)
				if got := lookupA(at, "www."+z.name); got != z.www {
					t.Errorf("NSD answers www.%s A %q, want %s", z.name, got, z.www)
				}
			}
			server := fmt.Sprintf("%s:%d", importPrimaryIP, primary)
			for _, c := range []struct {
				from  string
				key   string
				rcode int
			}{
				{from: "127.0.0.1", rcode: dns.RcodeSuccess},
				{from: "127.0.0.2", key: key, rcode: dns.RcodeSuccess},
				{from: "127.0.0.3", rcode: dns.RcodeRefused},
			} {
				r, err := axfrFrom(c.from, server, "example.net", c.key)
				if err != nil {
					t.Errorf("AXFR example.net from %s (signed %v): %v", c.from, c.key != "", err)
					continue
				}
				if r.Rcode != c.rcode || (c.rcode == dns.RcodeSuccess && len(r.Answer) < 2) {
					t.Errorf("AXFR example.net from %s (signed %v): %s with %d records, want %s",
						c.from, c.key != "", dns.RcodeToString[r.Rcode], len(r.Answer), dns.RcodeToString[c.rcode])
				}
			}
		})
	}
}

// axfrFrom asks server for zone's AXFR over TCP from the loopback address
// from, signed with the key "transfer" (hmac-sha256, secret) unless
// secret is empty, and returns the first message of the answer (a signed
// one verified).
func axfrFrom(from, server, zone, secret string) (*dns.Msg, error) {
	c := &dns.Client{Net: "tcp", Timeout: 5 * time.Second,
		Dialer: &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}}
	m := new(dns.Msg)
	m.SetAxfr(dns.Fqdn(zone))
	if secret != "" {
		c.TsigSecret = map[string]string{"transfer.": secret}
		m.SetTsig("transfer.", dns.HmacSHA256, 300, time.Now().Unix())
	}
	r, _, err := c.Exchange(m, server)
	if err == nil && secret != "" && r.IsTsig() == nil {
		err = fmt.Errorf("the answer is not signed")
	}
	return r, err
}

// importConfig runs zonerw import with --write-keys and writes the config
// beside the source, its state_dir (/var/lib/zonerw, for the package)
// pointed at a temp directory. It returns the config's path and the notes
// zonerw import printed.
func importConfig(t *testing.T, conf, dir string) (string, string) {
	t.Helper()
	cmd := exec.Command(zonerwBin, "import", "--write-keys", filepath.Join(dir, "keys"), conf)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("zonerw import: %v\n%s", err, stderr.String())
	}
	y := string(out)
	if !strings.Contains(y, "\nstate_dir: /var/lib/zonerw\n") {
		t.Fatalf("the imported config does not keep its state in /var/lib/zonerw:\n%s", y)
	}
	y = strings.Replace(y, "\nstate_dir: /var/lib/zonerw\n", "\nstate_dir: "+filepath.Join(dir, "state")+"\n", 1)
	cfg := filepath.Join(dir, "zonerw.yaml")
	writeFile(t, cfg, y)
	t.Logf("zonerw import notes:\n%s", stderr.String())
	return cfg, stderr.String()
}

// oldZoneFile is a zone as the old primary served it: no markers.
func oldZoneFile(name string, serial uint32, www string) string {
	return fmt.Sprintf(`$ORIGIN %s.
$TTL 300
@ IN SOA ns1 hostmaster %d 3600 900 1209600 300
  IN NS ns1
ns1 IN A 192.0.2.53
www IN A %s
`, name, serial, www)
}

// oldNSDConf is the old NSD primary: example.com NOTIFYed and transferred
// with the key, example.net NOTIFYed without and transferred unsigned from
// 127.0.0.1 or signed with the key from any IPv4 address.
func oldNSDConf(dir string, primary, secondary int, key string) string {
	return fmt.Sprintf(`server:
  ip-address: %[2]s@%[3]d
  zonesdir: "%[1]s"
  username: ""
key:
  name: transfer
  algorithm: hmac-sha256
  secret: "%[6]s"
zone:
  name: example.com
  zonefile: example.com.zone
  notify: %[4]s@%[5]d transfer
  provide-xfr: 127.0.0.0/8 transfer
zone:
  name: example.net
  zonefile: "%%s.zone"
  notify: %[4]s@%[5]d NOKEY
  provide-xfr: 127.0.0.1 NOKEY
  provide-xfr: 0.0.0.0/0 transfer
`, dir, importPrimaryIP, primary, importSecondaryIP, secondary, key)
}

// oldNamedConf is the same primary as BIND had it.
func oldNamedConf(dir string, primary, secondary int, key string) string {
	return fmt.Sprintf(`key "transfer" {
	algorithm hmac-sha256;
	secret "%[6]s";
};
options {
	directory "%[1]s";
	listen-on port %[3]d { %[2]s; };
	listen-on-v6 { none; };
	recursion no;
	notify explicit;
};
zone "example.com" {
	type primary;
	file "example.com.zone";
	also-notify { %[4]s port %[5]d key transfer; };
	allow-transfer { key transfer; };
};
zone "example.net" {
	type primary;
	file "example.net.zone";
	also-notify { %[4]s port %[5]d; };
	allow-transfer { 127.0.0.1; key transfer; };
};
`, dir, importPrimaryIP, primary, importSecondaryIP, secondary, key)
}

// importSecondaryConf is NSD as a secondary of both zones, transferring
// example.com with the key from its own address and example.net without a
// key from 127.0.0.1 (which example.net's ACL names).
func importSecondaryConf(dir string, listen, primary int, key string) string {
	return fmt.Sprintf(`server:
  ip-address: %[2]s@%[3]d
  username: ""
  chroot: ""
  database: ""
  zonesdir: "%[1]s"
  zonelistfile: "%[1]s/zone.list"
  xfrdfile: "%[1]s/xfrd.state"
  xfrdir: "%[1]s/xfr"
  pidfile: "%[1]s/nsd.pid"
  logfile: "%[1]s/nsd.log"
  server-count: 1
  rrl-ratelimit: 0
  xfrd-reload-timeout: 0
remote-control:
  control-enable: no
key:
  name: transfer
  algorithm: hmac-sha256
  secret: "%[6]s"
zone:
  name: example.com
  zonefile: "example.com.zone"
  request-xfr: %[4]s@%[5]d transfer
  allow-notify: 127.0.0.0/8 transfer
  outgoing-interface: %[2]s
zone:
  name: example.net
  zonefile: "example.net.zone"
  request-xfr: %[4]s@%[5]d NOKEY
  allow-notify: 127.0.0.0/8 NOKEY
  outgoing-interface: 127.0.0.1
`, dir, importSecondaryIP, listen, importPrimaryIP, primary, key)
}

// startNSDIn runs NSD on dir/nsd.conf until the test ends.
func startNSDIn(t *testing.T, bin, dir string) {
	t.Helper()
	peers.Start(t, bin, []string{"-d", "-c", filepath.Join(dir, "nsd.conf")}, dir, "nsd.log")
}

// waitForSOA polls server until zone's SOA has serial.
func waitForSOA(t *testing.T, server, zone string, serial uint32, deadline time.Duration) {
	t.Helper()
	start, last := time.Now(), "no answer"
	for time.Since(start) < deadline {
		m := new(dns.Msg)
		m.SetQuestion(dns.Fqdn(zone), dns.TypeSOA)
		r, _, err := (&dns.Client{Timeout: 500 * time.Millisecond}).Exchange(m, server)
		switch {
		case err != nil:
			last = err.Error()
		case len(r.Answer) == 1:
			if soa, ok := r.Answer[0].(*dns.SOA); ok && soa.Serial == serial {
				return
			}
			last = r.Answer[0].String()
		default:
			last = dns.RcodeToString[r.Rcode]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not serve %s with serial %d within %v; last: %s", server, zone, serial, deadline, last)
}
