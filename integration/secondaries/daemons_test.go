package secondaries

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/zonerw/zonerw/dnsserver"
	"github.com/zonerw/zonerw/integration/peers"
)

// setup is what a secondary's configuration needs to know.
type setup struct {
	dir     string         // the daemon's private temp directory
	zone    string         // "example.com." (fully qualified)
	primary netip.AddrPort // where to transfer from
	listen  netip.AddrPort // where the daemon answers
	key     *dnsserver.Key // signs transfers and NOTIFY when set
}

// kind is one secondary implementation: its binary, its Debian package,
// the loopback address it can bind, and how to configure and start it.
type kind struct {
	name, binary, pkg string
	ip                string
	// configure writes the daemon's configuration into s.dir and returns
	// the command line that starts it in the foreground.
	configure func(t *testing.T, s setup) []string
}

var kinds = []kind{
	{name: "nsd", binary: "nsd", pkg: "nsd", ip: "127.0.0.2", configure: nsdConfig},
	{name: "knot", binary: "knotd", pkg: "knot", ip: "127.0.0.3", configure: knotConfig},
	// named binds only addresses configured on an interface: lo has 127.0.0.1.
	{name: "bind", binary: "named", pkg: "bind9", ip: "127.0.0.1", configure: bindConfig},
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// bare is a zone or key name without the final dot, as NSD and Knot print it.
func bare(name string) string { return peers.Bare(name) }

func nsdConfig(t *testing.T, s setup) []string {
	var key *peers.Key
	if s.key != nil {
		key = &peers.Key{Name: bare(s.key.Name), Algorithm: s.key.Algorithm, Secret: s.key.Secret}
	}
	path := filepath.Join(s.dir, "nsd.conf")
	writeFile(t, path, peers.NSDConfig(s.dir, s.listen, bare(s.zone), s.primary, key))
	return []string{"-d", "-c", path}
}

func knotConfig(t *testing.T, s setup) []string {
	keyLine, keyBlock := "", ""
	if s.key != nil {
		keyLine = "    key: " + bare(s.key.Name) + "\n"
		keyBlock = fmt.Sprintf("key:\n  - id: %s\n    algorithm: %s\n    secret: %s\n", bare(s.key.Name), s.key.Algorithm, s.key.Secret)
	}
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
%[4]sremote:
  - id: primary
    address: %[5]s@%[6]d
%[7]sacl:
  - id: notify_from_primary
    address: 127.0.0.0/8
%[7]s    action: notify
template:
  - id: default
    storage: "%[1]s"
    zonefile-sync: -1
zone:
  - domain: %[8]s
    master: primary
    acl: notify_from_primary
`, s.dir, s.listen.Addr(), s.listen.Port(), keyBlock, s.primary.Addr(), s.primary.Port(), keyLine, bare(s.zone))
	path := filepath.Join(s.dir, "knot.conf")
	writeFile(t, path, conf)
	return []string{"-c", path}
}

func bindConfig(t *testing.T, s setup) []string {
	primary, notify, keyBlock := s.primary.Addr().String(), "127.0.0.0/8;", ""
	if s.key != nil {
		primary += fmt.Sprintf(" key %q", bare(s.key.Name))
		notify = fmt.Sprintf("key %q;", bare(s.key.Name))
		keyBlock = fmt.Sprintf("key %q { algorithm %s; secret %q; };\n", bare(s.key.Name), s.key.Algorithm, s.key.Secret)
	}
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
  allow-query { any; };
};
controls { };
%[4]szone "%[5]s" {
  type secondary;
  primaries port %[6]d { %[7]s; };
  allow-notify { %[8]s };
  file "%[1]s/zone.db";
};
`, s.dir, s.listen.Addr(), s.listen.Port(), keyBlock, bare(s.zone), s.primary.Port(), primary, notify)
	path := filepath.Join(s.dir, "named.conf")
	writeFile(t, path, conf)
	return []string{"-g", "-n", "1", "-c", path}
}
