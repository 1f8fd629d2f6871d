package publish

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/templates"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/dnssec"
	"github.com/zonerw/zonerw/zones/store"
)

// testSigner is the Signer the daemon builds (cmd/zonerw dnssec.go), over
// keys in a temp dir and an injected clock.
type testSigner struct {
	s *dnssec.Signer
}

func (ts testSigner) SignBase(b *zones.Base) (SignedBase, error) {
	sb, err := ts.s.SignBase(b)
	if err != nil {
		return nil, err
	}
	return sb, nil
}

func (ts testSigner) Stale(sb SignedBase, now time.Time) bool {
	return sb.(*dnssec.Signed).Stale(now, ts.s.Keeper().Generation())
}

func (ts testSigner) VersionDue(sb SignedBase, cur *zones.Version, now time.Time) bool {
	return sb.(*dnssec.Signed).VersionDue(cur, now)
}

// fakeClock is a clock the test moves (the pipeline's workers read it too).
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func signedZone(t *testing.T, text string, p dnssec.Policy, c *fakeClock) (*Zone, *dnssec.Keeper) {
	t.Helper()
	z := newZone(t, text)
	k, err := dnssec.OpenKeeper(filepath.Join(t.TempDir(), "keys"), z.Name, p, c.now())
	if err != nil {
		t.Fatal(err)
	}
	z.Signer = testSigner{dnssec.NewSigner(k, c.now)}
	return z, k
}

// checkValid wants every RRSIG of v to verify with v's keys at at, and
// returns the earliest expiration.
func checkValid(t *testing.T, v *zones.Version, at time.Time) time.Time {
	t.Helper()
	keys, _ := v.Apex().RRset(dns.TypeDNSKEY)
	byTag := map[uint16]*dns.DNSKEY{}
	for _, rr := range keys.Records(v.Origin()) {
		k := rr.(*dns.DNSKEY)
		byTag[k.KeyTag()] = k
	}
	earliest := time.Time{}
	n := 0
	v.Each(func(name []byte, node zones.Node) bool {
		owner := zones.WireNameText(name)
		sigs, ok := node.RRset(dns.TypeRRSIG)
		if !ok {
			return true
		}
		for _, rr := range sigs.Records(owner) {
			sig := rr.(*dns.RRSIG)
			set, _ := node.RRset(sig.TypeCovered)
			if err := sig.Verify(byTag[sig.KeyTag], set.Records(owner)); err != nil || !sig.ValidityPeriod(at) {
				t.Errorf("serial %d: %s RRSIG %s by %d: not valid at %s (%v, expires %s)", v.Serial(), owner, dns.Type(sig.TypeCovered), sig.KeyTag, at, err, dns.TimeToString(sig.Expiration))
			}
			exp := time.Unix(int64(sig.Expiration), 0)
			if earliest.IsZero() || exp.Before(earliest) {
				earliest = exp
			}
			n++
		}
		return true
	})
	if n == 0 {
		t.Fatalf("serial %d holds no signatures", v.Serial())
	}
	return earliest
}

// TestSignedPipeline: a failover in a signed zone re-signs only what it
// changed (the journal holds the SOA's and www's signatures, nothing
// else), and signatures are refreshed, with a new serial, before they
// expire, under an injected clock.
func TestSignedPipeline(t *testing.T) {
	c := newFakeClock(now)
	z, _ := signedZone(t, tmplText, dnssec.Policy{NSEC3: true}, c)
	st, err := store.Open(t.TempDir(), 0, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	p := New(Config{Store: st, Now: c.now})
	p.AddZone(z.Name, ZoneState{})
	rec := &recorder{}
	p.AddDestination(z.Name, "server", rec, time.Second, fastRety)
	p.Start()
	defer p.Stop(time.Second)
	apply(t, p, z, onMain(), false)
	first := p.Current(z.Name)
	checkValid(t, first, c.now())

	ch := p.Publish(onBackup())
	if len(ch) != 1 || !ch[0].Changed || ch[0].Err != nil {
		t.Fatalf("failover: %+v", ch)
	}
	v := p.Current(z.Name)
	checkValid(t, v, c.now())
	if v.Base() != first.Base() {
		t.Error("the failover made a new base: it should sign the dynamic owners alone")
	}
	j := v.Journal()
	d := j[len(j)-1]
	for _, rr := range append(d.Deleted, d.Added...) {
		owner := dns.CanonicalName(rr.Header().Name)
		if owner != "example.com." && owner != "www.example.com." {
			t.Errorf("the failover changed %v", rr)
		}
	}

	// Nothing is due a day later.
	c.set(c.now().Add(24 * time.Hour))
	if ch := p.Resign(c.now()); len(ch) != 0 {
		t.Fatalf("resign a day after signing: %+v", ch)
	}
	// Half a day before: not due yet. An hour before they expire the
	// signatures (valid 14 days, refreshed the propagation delay of 1h and
	// the largest TTL, 1h, before) are due: a new serial, fresh signatures.
	c.set(now.Add(13*24*time.Hour + 12*time.Hour))
	if ch := p.Resign(c.now()); len(ch) != 0 {
		t.Fatalf("resign half a day before the refresh: %+v", ch)
	}
	c.set(now.Add(14*24*time.Hour - time.Hour))
	ch = p.Resign(c.now())
	if len(ch) != 1 || !ch[0].Changed || ch[0].Err != nil || ch[0].Serial == v.Serial() {
		t.Fatalf("refresh: %+v", ch)
	}
	refreshed := p.Current(z.Name)
	exp := checkValid(t, refreshed, c.now())
	if !exp.After(c.now().Add(13 * 24 * time.Hour)) {
		t.Errorf("refreshed signatures expire %s, want about 14 days after %s", exp, c.now())
	}
	waitFor(t, "the destination to hold the refreshed serial", func() bool { return last(rec) == refreshed.Serial() })
	// The refreshed version is what the next failover builds on.
	if ch := p.Publish(onMain()); len(ch) != 1 || !ch[0].Changed {
		t.Fatalf("failback after refresh: %+v", ch)
	}
	checkValid(t, p.Current(z.Name), c.now())
}

// TestSignedFileIsSigned: the output file of a signed zone is the signed
// zone, every record of the version.
func TestSignedFileIsSigned(t *testing.T) {
	c := newFakeClock(now)
	z, _ := signedZone(t, tmplText, dnssec.Policy{}, c)
	z.Output = filepath.Join(t.TempDir(), "example.com.zone")
	cmp := compile(t, z)
	v, err := cmp.Version(7, onMain())
	if err != nil {
		t.Fatal(err)
	}
	text, err := zoneFileText(z, &Release{Zone: z, Version: v, Values: onMain()})
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := zones.ParseVersion(z.Name, z.Output, text, zones.ParseOptions{})
	if err != nil {
		t.Fatalf("the signed zone file does not parse: %v\n%s", err, text)
	}
	if parsed.Records() != v.Records() || parsed.Serial() != 7 {
		t.Errorf("the file holds %d records, serial %d; the version %d, serial 7", parsed.Records(), parsed.Serial(), v.Records())
	}
	checkValid(t, parsed, c.now())
}

// bigTemplate is tmplText with n more static records.
func bigTemplate(n int) string {
	text := tmplText
	for start := 1; start <= n; start += 50000 {
		end := min(start+49999, n)
		text += fmt.Sprintf("$GENERATE %d-%d host$ A 10.0.%d.1\n", start, end, start/50000)
	}
	return text
}

// TestSignedRecompileKeepsSerial: the same template compiled (and signed)
// again keeps its serial, and the version kept is signed all through.
func TestSignedRecompileKeepsSerial(t *testing.T) {
	c := newFakeClock(now)
	z, _ := signedZone(t, tmplText, dnssec.Policy{}, c)
	p := newPipeline(t, t.TempDir())
	p.AddZone(z.Name, ZoneState{})
	first := apply(t, p, z, onMain(), false)
	again := apply(t, p, z, onMain(), false)
	if again.Changed || again.Serial != first.Serial {
		t.Fatalf("recompile: %+v after %+v", again, first)
	}
	v := p.Current(z.Name)
	checkValid(t, v, c.now())
	soa, _ := v.Apex().RRset(dns.TypeRRSIG)
	found := false
	for _, rr := range soa.Records(v.Origin()) {
		found = found || rr.(*dns.RRSIG).TypeCovered == dns.TypeSOA
	}
	if !found {
		t.Error("the kept version's SOA is not signed")
	}
}

// failingSigned makes versions that do not verify while fail is set.
type failingSigned struct {
	SignedBase
	fail *bool
}

func (f failingSigned) NewVersion(serial uint32, fill zones.Fill) (*zones.Version, error) {
	if *f.fail {
		return nil, fmt.Errorf("zone example.com. serial %d: not published: www.example.com. A: no valid signature by CSK 1 (test)", serial)
	}
	return f.SignedBase.NewVersion(serial, fill)
}

type failingSigner struct {
	testSigner
	fail *bool
}

func (f failingSigner) SignBase(b *zones.Base) (SignedBase, error) {
	sb, err := f.testSigner.SignBase(b)
	if err != nil {
		return nil, err
	}
	return failingSigned{sb, f.fail}, nil
}

func (f failingSigner) Stale(sb SignedBase, now time.Time) bool {
	return f.testSigner.Stale(sb.(failingSigned).SignedBase, now)
}

func (f failingSigner) VersionDue(sb SignedBase, cur *zones.Version, now time.Time) bool {
	return f.testSigner.VersionDue(sb.(failingSigned).SignedBase, cur, now)
}

// TestUnverifiedVersionNotPublished: a failover whose signed version does
// not verify publishes nothing; the last good version keeps serving, the
// change carries the reason, and the next good one goes out.
func TestUnverifiedVersionNotPublished(t *testing.T) {
	c := newFakeClock(now)
	z, _ := signedZone(t, tmplText, dnssec.Policy{}, c)
	fail := false
	z.Signer = failingSigner{z.Signer.(testSigner), &fail}
	p := newPipeline(t, t.TempDir())
	p.AddZone(z.Name, ZoneState{})
	rec := &recorder{}
	p.AddDestination(z.Name, "server", rec, time.Second, fastRety)
	p.Start()
	defer p.Stop(time.Second)
	good := apply(t, p, z, onMain(), false)
	fail = true
	ch := p.Publish(onBackup())
	if len(ch) != 1 || ch[0].Err == nil || !strings.Contains(ch[0].Err.Error(), "www.example.com. A: no valid signature") {
		t.Fatalf("publish of a version that does not verify: %+v", ch)
	}
	if v := p.Current(z.Name); v.Serial() != good.Serial {
		t.Fatalf("serving serial %d, want the last good %d", v.Serial(), good.Serial)
	}
	fail = false
	if ch := p.Publish(onBackup()); len(ch) != 1 || ch[0].Err != nil || !ch[0].Changed {
		t.Fatalf("the next publish: %+v", ch)
	}
	waitFor(t, "the good version delivered", func() bool { return last(rec) == p.Current(z.Name).Serial() })
}

// reopen is a pipeline on the store in dir, serving z, under c: what a
// restart starts from.
func reopen(t *testing.T, dir string, z *Zone, c *fakeClock) *Pipeline {
	t.Helper()
	st, err := store.Open(dir, 0, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	p := New(Config{Store: st, Now: c.now})
	p.AddZone(z.Name, ZoneState{})
	return p
}

// TestSignedRefreshAfterRestart: a restart (or the next cron run) signs
// the zone afresh but keeps its serial, so secondaries and the output file
// keep the signatures made when that serial was first published; those
// are what must be refreshed before they expire.
func TestSignedRefreshAfterRestart(t *testing.T) {
	c := newFakeClock(now)
	z, _ := signedZone(t, tmplText, dnssec.Policy{}, c)
	dir := t.TempDir()
	open := func() *Pipeline { return reopen(t, dir, z, c) }
	first := apply(t, open(), z, onMain(), false)
	// Ten days on, a restart: same content, same serial, fresh signatures.
	c.set(now.Add(10 * 24 * time.Hour))
	p := open()
	if again := apply(t, p, z, onMain(), false); again.Changed || again.Serial != first.Serial {
		t.Fatalf("restart: %+v after %+v", again, first)
	}
	if ch := p.Resign(c.now()); len(ch) != 0 {
		t.Fatalf("resign on day 10: %+v", ch)
	}
	// On day 14 the signatures published with that serial are due,
	// however fresh the restart's own are.
	c.set(now.Add(14*24*time.Hour - time.Hour))
	ch := p.Resign(c.now())
	if len(ch) != 1 || !ch[0].Changed || ch[0].Serial == first.Serial {
		t.Fatalf("resign on day 14: %+v", ch)
	}
}

// TestSignedFailoverSignedAhead: while the pipeline runs, a signed zone's
// next SOA is signed after each version (signAhead) and the failovers
// Anticipate is told of are signed before they come, so that such a
// failover, and the failback after it, make no signature on the publish
// path; one nobody foresaw signs its own. Every version verifies.
func TestSignedFailoverSignedAhead(t *testing.T) {
	c := newFakeClock(now)
	z, _ := signedZone(t, tmplText, dnssec.Policy{}, c)
	st, err := store.Open(t.TempDir(), 0, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	p := New(Config{Store: st, Now: c.now})
	p.AddZone(z.Name, ZoneState{})
	p.AddDestination(z.Name, "server", &recorder{}, time.Second, fastRety)
	p.Start()
	defer p.Stop(time.Second)
	apply(t, p, z, onMain(), false)
	signed := p.Compiled(z.Name).signed.(*dnssec.Signed)
	p.Anticipate([]Values{onBackup()})
	p.ahead.Wait()
	for _, v := range []Values{onBackup(), onMain()} {
		before := signed.SignedInline()
		if ch := p.Publish(v); len(ch) != 1 || !ch[0].Changed || ch[0].Err != nil {
			t.Fatalf("failover: %+v", ch)
		}
		if n := signed.SignedInline() - before; n != 0 {
			t.Errorf("serial %d: %d RRsets signed on the publish path", p.Current(z.Name).Serial(), n)
		}
		checkValid(t, p.Current(z.Name), c.now())
		p.ahead.Wait()
	}
	// Not foreseen: the SOA is ready, www's new records are not.
	before := signed.SignedInline()
	other := onBackup()
	other.Active["web"] = templates.Addrs{IPv4: addrs("127.0.0.30"), IPv6: other.Active["web"].IPv6}
	if ch := p.Publish(other); len(ch) != 1 || !ch[0].Changed || ch[0].Err != nil {
		t.Fatalf("failover to an address not foreseen: %+v", ch)
	}
	if n := signed.SignedInline() - before; n != 2 {
		t.Errorf("failover to an address not foreseen: %d RRsets signed on the publish path, want 2 (www A, the apex A)", n)
	}
	checkValid(t, p.Current(z.Name), c.now())
}

// TestSignaturesExpireInStatus: Status gives, for a signed zone, when the
// oldest signatures of the version the secondaries hold expire: the
// earliest expiration of every RRSIG in it. After a restart that signs
// afresh but keeps the serial, that is still the stored version's (it is
// what the secondaries hold), until re-signing publishes a new serial. An
// unsigned zone gives none.
func TestSignaturesExpireInStatus(t *testing.T) {
	c := newFakeClock(now)
	z, _ := signedZone(t, tmplText, dnssec.Policy{}, c)
	dir := t.TempDir()
	open := func() *Pipeline { return reopen(t, dir, z, c) }
	expiry := func(p *Pipeline) time.Time {
		zs, _ := p.Status()
		if len(zs) != 1 {
			t.Fatalf("status of %d zones, want 1", len(zs))
		}
		return zs[0].SignaturesExpire
	}

	p := open()
	if got := expiry(p); !got.IsZero() {
		t.Errorf("before the first version: signatures expire %s, want none", got)
	}
	apply(t, p, z, onMain(), false)
	first := p.Current(z.Name)
	want := checkValid(t, first, c.now())
	if got := expiry(p); !got.Equal(want) {
		t.Errorf("signatures expire %s, want %s (the earliest RRSIG of serial %d)", got, want, first.Serial())
	}
	if !want.After(now.Add(13 * 24 * time.Hour)) {
		t.Errorf("the first signatures expire %s, want about 14 days after %s", want, now)
	}

	// Ten days on, a restart signs afresh with the same serial: the
	// secondaries still hold the first signatures.
	c.set(now.Add(10 * 24 * time.Hour))
	p = open()
	if again := apply(t, p, z, onMain(), false); again.Changed {
		t.Fatalf("restart: %+v", again)
	}
	if got := expiry(p); !got.Equal(want) {
		t.Errorf("after the restart: signatures expire %s, want the stored version's %s", got, want)
	}
	// When they are due, re-signing publishes the restart's signatures
	// (made on day 10) with a new serial, and the date moves with it.
	c.set(now.Add(14*24*time.Hour - time.Hour))
	if ch := p.Resign(c.now()); len(ch) != 1 || !ch[0].Changed {
		t.Fatalf("resign on day 14: %+v", ch)
	}
	fresh := checkValid(t, p.Current(z.Name), c.now())
	if got := expiry(p); !got.Equal(fresh) || !got.After(now.Add(23*24*time.Hour)) {
		t.Errorf("after re-signing: signatures expire %s, want %s, about 24 days after %s", got, fresh, now)
	}

	plain := newPipeline(t, t.TempDir())
	uz := newZone(t, tmplText)
	plain.AddZone(uz.Name, ZoneState{})
	apply(t, plain, uz, onMain(), false)
	if got := expiry(plain); !got.IsZero() {
		t.Errorf("an unsigned zone: signatures expire %s, want none", got)
	}
}
