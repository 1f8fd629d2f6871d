package secondaries

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/dnsserver"
	"github.com/zonerw/zonerw/integration/peers"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/dnssec"
)

// signedTemplate is the zone of the DNSSEC test; www (line 9) is the
// record a failover changes, with a TTL of 1s so that the validating
// resolver asks again after it.
const signedTemplate = `$ORIGIN example.com.
$TTL 300
@    SOA  ns1 hostmaster 1 3600 600 86400 60
@    NS   ns1
@    NS   ns2
ns1  A    192.0.2.1
ns2  A    192.0.2.2
@    MX   10 mail
www  1 A  192.0.2.10
mail A    192.0.2.3
api  CNAME www
*.dev TXT "wildcard"
a.b.deep TXT "below an empty non-terminal"
`

// signedZone compiles the template with www as a slot and signs it.
func signedZone(t *testing.T, p dnssec.Policy) *dnssec.Signed {
	t.Helper()
	b, err := zones.NewBuilder(zone, "signed.zone", 0)
	if err != nil {
		t.Fatal(err)
	}
	err = zones.ReadRecords(zone, "signed.zone", []byte(signedTemplate), zones.ParseOptions{}, func(rr dns.RR, line int) error {
		if line == 9 {
			return b.AddSlot(rr, line, "web")
		}
		return b.Add(rr, line)
	})
	if err != nil {
		t.Fatal(err)
	}
	base, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	k, err := dnssec.OpenKeeper(filepath.Join(t.TempDir(), "keys"), zone, p, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sb, err := dnssec.NewSigner(k, time.Now).SignBase(base)
	if err != nil {
		t.Fatal(err)
	}
	return sb
}

func www(addr string) zones.Fill {
	return func(zones.Slot) ([]netip.Addr, uint32, error) { return []netip.Addr{netip.MustParseAddr(addr)}, 0, nil }
}

// TestSignedZone: a signed zone is served, transferred to NSD, Knot and
// BIND, whose AXFR ldns-verify-zone and kzonecheck accept, before and
// after a failover; a validating BIND resolver on loopback, whose only
// trust anchor is the zone's key, resolves www with the AD bit before and
// after it.
func TestSignedZone(t *testing.T) {
	for _, p := range []struct {
		name string
		p    dnssec.Policy
	}{{"nsec-csk", dnssec.Policy{}}, {"nsec3-ksk-zsk", dnssec.Policy{NSEC3: true, SplitKeys: true}}} {
		t.Run(p.name, func(t *testing.T) { testSignedZone(t, p.p) })
	}
}

func testSignedZone(t *testing.T, p dnssec.Policy) {
	ldns := needTool(t, "ldns-verify-zone", "ldnsutils")
	kzc := needTool(t, "kzonecheck", "knot-dnssecutils")
	var bins []string
	var listens []netip.AddrPort
	for _, k := range kinds {
		bins = append(bins, peers.RequireBinary(t, k.binary, k.pkg))
		listens = append(listens, peers.FreePort(t, k.ip))
	}
	resolverBin := peers.RequireBinary(t, kinds[2].binary, kinds[2].pkg)
	cfg := primaryConfig(t, listens[0], nil)
	for _, l := range listens[1:] {
		cfg.Zones[0].Secondaries = append(cfg.Zones[0].Secondaries, dnsserver.Secondary{Addr: l})
	}
	primary, primaryAddr := startPrimary(t, cfg)
	sb := signedZone(t, p)
	v1, err := sb.NewVersion(1, www("192.0.2.10"))
	if err != nil {
		t.Fatal(err)
	}
	if err := publishNext(primary, v1); err != nil {
		t.Fatal(err)
	}
	for i, k := range kinds {
		dir := t.TempDir()
		args := k.configure(t, setup{dir: dir, zone: zone, primary: primaryAddr, listen: listens[i]})
		allowTransferOut(t, k.name, dir)
		startDaemon(t, bins[i], args, dir)
	}
	resolver := startResolver(t, resolverBin, primaryAddr, sb.Keys())

	for _, step := range []struct {
		serial uint32
		addr   string
	}{{1, "192.0.2.10"}, {2, "192.0.2.20"}} {
		before := primary.Stats()
		if step.serial > 1 {
			v, err := sb.NewVersion(step.serial, www(step.addr))
			if err != nil {
				t.Fatal(err)
			}
			if err := publishNext(primary, v); err != nil {
				t.Fatal(err)
			}
		}
		for i, k := range kinds {
			if took, err := poll(transferDeadline, func() bool { return answersA(listens[i], "www."+zone, step.addr) }); err != nil {
				t.Fatalf("%s: serial %d not served after %s", k.name, step.serial, took)
			}
			text := axfrText(t, listens[i])
			verifyZoneText(t, ldns, kzc, fmt.Sprintf("%s-serial%d", k.name, step.serial), text, step.serial)
		}
		if after := primary.Stats(); step.serial > 1 && (after.IXFR < before.IXFR+uint64(len(kinds)) || after.AXFR != before.AXFR) {
			t.Errorf("serial %d reached the secondaries by %d IXFR (want one each, %d) and %d AXFR", step.serial, after.IXFR-before.IXFR, len(kinds), after.AXFR-before.AXFR)
		}
		verifyZoneText(t, ldns, kzc, fmt.Sprintf("primary-serial%d", step.serial), axfrText(t, primaryAddr), step.serial)
		if took, err := poll(transferDeadline, func() bool { return resolvesSecure(resolver, "www."+zone, step.addr) }); err != nil {
			r, _ := resolve(resolver, "www."+zone, dns.TypeA)
			t.Fatalf("validating resolver: www not answered %s with AD after %s: %v", step.addr, took, r)
		}
		// Denial through the resolver: an NXDOMAIN and a NODATA that validate.
		for _, q := range []struct {
			name  string
			qtype uint16
			rcode int
		}{{"nope." + zone, dns.TypeA, dns.RcodeNameError}, {"www." + zone, dns.TypeTXT, dns.RcodeSuccess}, {"x.dev." + zone, dns.TypeTXT, dns.RcodeSuccess}} {
			r, err := resolve(resolver, q.name, q.qtype)
			if err != nil || r.Rcode != q.rcode || !r.AuthenticatedData {
				t.Errorf("validating resolver: %s %s: %v, %v; want %s with AD", q.name, dns.Type(q.qtype), r, err, dns.RcodeToString[q.rcode])
			}
		}
	}
}

// allowTransferOut lets the test AXFR the zone from the secondary.
func allowTransferOut(t *testing.T, kind, dir string) {
	t.Helper()
	edit := func(file, old, new string) {
		path := filepath.Join(dir, file)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), old) {
			t.Fatalf("%s: %q not found", path, old)
		}
		writeFile(t, path, strings.Replace(string(b), old, new, 1))
	}
	switch kind {
	case "nsd":
		edit("nsd.conf", "  allow-notify:", "  provide-xfr: 127.0.0.0/8 NOKEY\n  allow-notify:")
	case "knot":
		edit("knot.conf", "acl:\n", "acl:\n  - id: transfer_out\n    address: 127.0.0.0/8\n    action: transfer\n")
		edit("knot.conf", "    acl: notify_from_primary\n", "    acl: [notify_from_primary, transfer_out]\n")
	case "bind":
		edit("named.conf", "  allow-query { any; };", "  allow-query { any; };\n  allow-transfer { 127.0.0.0/8; };")
	}
}

// axfrText transfers the zone from addr, in zone file form.
func axfrText(t *testing.T, addr netip.AddrPort) string {
	t.Helper()
	m := new(dns.Msg)
	m.SetAxfr(zone)
	tr := &dns.Transfer{DialTimeout: 2 * time.Second, ReadTimeout: 5 * time.Second}
	ch, err := tr.In(m, addr.String())
	if err != nil {
		t.Fatalf("AXFR from %s: %v", addr, err)
	}
	var b strings.Builder
	n := 0
	for env := range ch {
		if env.Error != nil {
			t.Fatalf("AXFR from %s: %v", addr, env.Error)
		}
		for _, rr := range env.RR {
			if n > 0 && rr.Header().Rrtype == dns.TypeSOA {
				continue // the closing SOA
			}
			b.WriteString(rr.String() + "\n")
			n++
		}
	}
	return b.String()
}

// verifyZoneText runs both checkers on a transferred zone and wants its
// serial and its RRSIGs in it.
func verifyZoneText(t *testing.T, ldns, kzc, name, text string, serial uint32) {
	t.Helper()
	if !strings.Contains(text, "\tRRSIG\t") || !strings.Contains(text, fmt.Sprintf(" %d ", serial)) {
		t.Fatalf("%s: the transfer holds no signatures or not serial %d:\n%s", name, serial, text)
	}
	path := filepath.Join(t.TempDir(), name+".zone")
	writeFile(t, path, text)
	if out, err := exec.Command(ldns, "-V", "2", path).CombinedOutput(); err != nil {
		t.Errorf("%s: ldns-verify-zone: %v\n%s", name, err, out)
	}
	if out, err := exec.Command(kzc, "--dnssec", "on", "-o", zone, path).CombinedOutput(); err != nil {
		t.Errorf("%s: kzonecheck --dnssec on: %v\n%s", name, err, out)
	}
}

// startResolver runs BIND as a validating resolver on 127.0.0.1: the
// zone's key as its only trust anchor, the zone forwarded to the primary,
// and root hints naming loopback only, so nothing leaves the machine.
func startResolver(t *testing.T, bin string, primary netip.AddrPort, ks *dnssec.KeySet) netip.AddrPort {
	t.Helper()
	dir := t.TempDir()
	listen := peers.FreePort(t, "127.0.0.1")
	k := ks.ForParent().DNSKEY
	writeFile(t, filepath.Join(dir, "root.hints"), ".  3600000 NS a.root.test.\na.root.test. 3600000 A 127.0.0.1\n")
	conf := fmt.Sprintf(`options {
  directory "%[1]s";
  pid-file "%[1]s/named.pid";
  session-keyfile "%[1]s/session.key";
  managed-keys-directory "%[1]s";
  listen-on port %[2]d { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion yes;
  allow-recursion { 127.0.0.0/8; };
  dnssec-validation yes;
  notify no;
  qname-minimization off;
};
trust-anchors { %[3]s static-key %[4]d %[5]d %[6]d "%[7]s"; };
controls { };
zone "." { type hint; file "%[1]s/root.hints"; };
zone "%[3]s" { type forward; forward only; forwarders { %[8]s port %[9]d; }; };
`, dir, listen.Port(), zone, k.Flags, k.Protocol, k.Algorithm, k.PublicKey, primary.Addr(), primary.Port())
	path := filepath.Join(dir, "named.conf")
	writeFile(t, path, conf)
	if out, err := exec.Command(filepath.Join(filepath.Dir(bin), "named-checkconf"), path).CombinedOutput(); err != nil && !os.IsNotExist(err) {
		t.Logf("named-checkconf: %v %s", err, out)
	}
	startDaemon(t, bin, []string{"-g", "-n", "1", "-c", path}, dir)
	return listen
}

// resolve asks the resolver with RD and DO.
func resolve(addr netip.AddrPort, name string, qtype uint16) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.SetEdns0(1232, true)
	c := &dns.Client{Net: "udp", Timeout: 2 * time.Second}
	r, _, err := c.Exchange(m, addr.String())
	return r, err
}

// resolvesSecure reports whether the resolver answers name A with want
// and the AD bit.
func resolvesSecure(addr netip.AddrPort, name, want string) bool {
	r, err := resolve(addr, name, dns.TypeA)
	if err != nil || r.Rcode != dns.RcodeSuccess || !r.AuthenticatedData {
		return false
	}
	return slices.ContainsFunc(r.Answer, func(rr dns.RR) bool { a, ok := rr.(*dns.A); return ok && a.A.String() == want })
}

// needTool returns the path of a checker the test needs: a missing one
// fails under CI=true (.ci/run installs it) and skips elsewhere.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed, but CI must run this test: .ci/run should apt-get install %s", name, pkg)
	}
	t.Skipf("%s not installed: apt-get install %s", name, pkg)
	return ""
}
