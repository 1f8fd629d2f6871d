package dnssec

import (
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

// testZone has a bit of everything a signer must handle: a slot (www A,
// line 5), a wildcard, an empty non-terminal, a delegation with glue, a
// signed delegation (DS) and a CNAME.
const testZone = `$TTL 300
@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300
  IN NS ns1
ns1 IN A 127.0.0.53
www IN A 127.0.0.10
www IN TXT "web"
mail IN A 127.0.0.25
  IN MX 10 mail
*.wild IN TXT "wild"
a.b.deep IN A 127.0.0.7
sub IN NS ns.sub
ns.sub IN A 127.0.0.54
secure IN NS ns.secure
secure IN DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ns.secure IN A 127.0.0.55
alias IN CNAME www
`

// compile builds text for example.com with the records on slotLines as
// slots keyed "web".
func compile(t testing.TB, text string, slotLines ...int) *zones.Base {
	t.Helper()
	b, err := zones.NewBuilder("example.com", "test.zone", 0)
	if err != nil {
		t.Fatal(err)
	}
	err = zones.ReadRecords("example.com.", "test.zone", []byte(text), zones.ParseOptions{}, func(rr dns.RR, line int) error {
		if slices.Contains(slotLines, line) {
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
	return base
}

// fill gives every slot addrs.
func fill(addrs ...string) zones.Fill {
	return func(s zones.Slot) ([]netip.Addr, uint32, error) {
		var out []netip.Addr
		for _, a := range addrs {
			out = append(out, netip.MustParseAddr(a))
		}
		return out, 0, nil
	}
}

// clock is a settable clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// newTestSigner opens a keeper in a temp dir with policy p.
func newTestSigner(t testing.TB, p Policy, c *clock) *Signer {
	t.Helper()
	k, err := OpenKeeper(filepath.Join(t.TempDir(), "keys"), "example.com.", p, c.now())
	if err != nil {
		t.Fatal(err)
	}
	return NewSigner(k, c.now)
}

// zoneText is the version in zone file form.
func zoneText(v *zones.Version) string {
	var sb strings.Builder
	for _, rr := range v.AllRecords() {
		sb.WriteString(rr.String())
		sb.WriteByte('\n')
	}
	return sb.String()
}

// ldnsVerify runs ldns-verify-zone on v at time at (skipped without it).
func ldnsVerify(t *testing.T, v *zones.Version, at time.Time) {
	t.Helper()
	path, err := exec.LookPath("ldns-verify-zone")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ldns-verify-zone is needed: apt-get install ldnsutils")
		}
		t.Skip("ldns-verify-zone not installed (apt-get install ldnsutils)")
	}
	f := filepath.Join(t.TempDir(), "zone")
	if err := os.WriteFile(f, []byte(zoneText(v)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(path, "-t", at.UTC().Format("20060102150405"), "-V", "2", f).CombinedOutput()
	if err != nil {
		t.Fatalf("ldns-verify-zone: %v\n%s\n%s", err, out, zoneText(v))
	}
}
