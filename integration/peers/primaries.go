package peers

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Placeholders in a primary's zone stanza, as README.md writes them;
// StartBINDPrimary and StartKnotPrimary replace them with the test's own
// paths and secret, so that the README's snippets are what the tests run.
const (
	BINDKeyFile = "/etc/bind/zonerw.key"             // the key file tsig-keygen wrote
	BINDDir     = "/var/lib/bind/"                   // where BIND keeps the zone file and its journal
	KnotDir     = "/var/lib/knot/"                   // where Knot keeps the zone file
	KnotSecret  = "PASTE-THE-SECRET-FROM-zonerw.key" // the key's secret, copied into knot.conf
)

// Primary is a BIND or Knot primary for one zone that takes zonerw's
// TSIG-signed dynamic updates.
type Primary struct {
	Dir      string         // the daemon's private temp directory
	Listen   netip.AddrPort // BIND: 127.0.0.1 only (see secondaries.md)
	Zone     string         // without the final dot: "example.com"
	ZoneText string         // the zone file it starts from
	Key      Key            // the key zonerw signs with
	// Stanza is the key, acl and zone part of the config, with the
	// placeholders above. The rest (listen address, directories, logs)
	// is written around it.
	Stanza string
}

// BINDKeyText is key in the format tsig-keygen writes.
func BINDKeyText(key Key) string {
	return fmt.Sprintf("key %q {\n\talgorithm %s;\n\tsecret %q;\n};\n", key.Name, key.Algorithm, key.Secret)
}

// write puts the zone file (as name in p.Dir) and the key file in place
// and returns the stanza with its placeholders replaced.
func (p Primary) write(t testing.TB, zoneFile string) string {
	t.Helper()
	for name, text := range map[string]string{zoneFile: p.ZoneText, "zonerw.key": BINDKeyText(p.Key)} {
		if err := os.WriteFile(filepath.Join(p.Dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return strings.NewReplacer(
		BINDKeyFile, filepath.Join(p.Dir, "zonerw.key"),
		BINDDir, p.Dir+"/",
		KnotDir, p.Dir+"/",
		KnotSecret, p.Key.Secret,
	).Replace(p.Stanza)
}

// StartBINDPrimary runs named as the zone's primary until the test ends.
// Transfers are open to loopback, and IXFR is never replaced by a full
// transfer, so a test can read the zone's history.
func StartBINDPrimary(t testing.TB, bin string, p Primary) {
	t.Helper()
	stanza := p.write(t, p.Zone+".zone")
	conf := fmt.Sprintf(`options {
  directory "%[1]s";
  pid-file "%[1]s/named.pid";
  session-keyfile "%[1]s/session.key";
  managed-keys-directory "%[1]s";
  listen-on port %[3]d { %[2]s; };
  listen-on-v6 { none; };
  recursion no;
  notify no;
  dnssec-validation no;
  allow-transfer { 127.0.0.0/8; };
  max-ixfr-ratio unlimited;
};
controls { };
%[4]s
`, p.Dir, p.Listen.Addr(), p.Listen.Port(), stanza)
	path := filepath.Join(p.Dir, "named.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	Start(t, bin, []string{"-g", "-n", "1", "-c", path}, p.Dir)
}

// StartKnotPrimary runs knotd as the zone's primary until the test ends.
// An acl "test-transfer" lets loopback transfer the zone (for IXFR): a
// stanza's zone lists it beside its own acl.
func StartKnotPrimary(t testing.TB, bin string, p Primary) {
	t.Helper()
	stanza := p.write(t, p.Zone+".zone")
	conf := fmt.Sprintf(`server:
  rundir: "%[1]s"
  listen: %[2]s@%[3]d
database:
  storage: "%[1]s"
control:
  listen: "%[1]s/knot.sock"
log:
  - target: stderr
    any: info
acl:
  - id: test-transfer
    address: 127.0.0.0/8
    action: transfer
%[4]s
`, p.Dir, p.Listen.Addr(), p.Listen.Port(), stanza)
	path := filepath.Join(p.Dir, "knot.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	Start(t, bin, []string{"-c", path}, p.Dir)
}
