package provider

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/libdns/libdns"
	"github.com/miekg/dns"
)

// newFakeRFC2136 builds an RFC2136 Publisher for records mail A and www A
// (in that order) over f, with instant waits.
func newFakeRFC2136(t *testing.T, f *fakeZone) *Publisher {
	t.Helper()
	cfg := validRFC2136()
	cfg.Key.Source = `"zonerw" (file /etc/zonerw/zonerw.key)`
	cfg.Records = []Record{{Name: "mail", Type: "A", Service: "web", TTL: time.Minute}, {Name: "www", Type: "A", Service: "web", TTL: time.Minute}}
	p, err := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now,
		WithSleep(func(ctx context.Context, d time.Duration) error { return ctx.Err() }))
	if err != nil {
		t.Fatal(err)
	}
	p.api = f
	return p
}

func heldData(f *fakeZone, name string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, rr := range f.rrs {
		if rr.Name == name {
			out = append(out, rr.Data)
		}
	}
	slices.Sort(out)
	return out
}

// One record the server's policy refuses (BIND's update-policy does not
// cover mail A) does not stop the others: www is still published, the
// error names the refused record, and the status shows what was read
// back after the changes, not what was read before them.
func TestRefusedRecordDoesNotBlockTheOthers(t *testing.T) {
	f := &fakeZone{rrs: []libdns.RR{{Name: "mail", Type: "A", Data: "192.0.2.1", TTL: time.Minute}, {Name: "www", Type: "A", Data: "192.0.2.1", TTL: time.Minute}}}
	f.failRR = func(op string, rr libdns.RR) error {
		if rr.Name == "mail" {
			return &dnsError{update: true, rcode: dns.RcodeRefused}
		}
		return nil
	}
	p := newFakeRFC2136(t, f)
	err := p.Publish(context.Background(), map[string][]netip.Addr{"web": {netip.MustParseAddr("192.0.2.2")}})
	want := `bind-example: 127.0.0.1:5353 refused the update of mail.example.com. A (adding 192.0.2.2) ` +
		`in zone example.com. signed with the TSIG key "zonerw" (file /etc/zonerw/zonerw.key) (REFUSED): let the key update mail.example.com. A ` +
		`(BIND: allow-update or update-policy; Knot: an acl with action update)`
	if err == nil || err.Error() != want {
		t.Fatalf("Publish:\n got %v\nwant %s", err, want)
	}
	if Classify(err) != FailurePermission || !errors.Is(err, ErrPermission) {
		t.Errorf("Classify = %s, want permission", Classify(err))
	}
	if got := heldData(f, "www"); !slices.Equal(got, []string{"192.0.2.2"}) {
		t.Errorf("www holds %v: the refused mail record blocked it", got)
	}
	if got := heldData(f, "mail"); !slices.Equal(got, []string{"192.0.2.1"}) {
		t.Errorf("mail holds %v, want it left as it was", got)
	}
	st := p.Status()
	if www := st.Records[1]; !slices.Equal(www.Live, []netip.Addr{netip.MustParseAddr("192.0.2.2")}) || !www.InSync() {
		t.Errorf("status of www %+v: want the value read back after the change", www)
	}
	if mail := st.Records[0]; !slices.Equal(mail.Live, []netip.Addr{netip.MustParseAddr("192.0.2.1")}) || !mail.Pending() {
		t.Errorf("status of mail %+v: want the old value, pending", mail)
	}
}

// A write that went out and could not be read back leaves the record's
// live value unknown, never the value read before the write.
func TestUnreadWriteLeavesLiveUnknown(t *testing.T) {
	f := &fakeZone{rrs: []libdns.RR{{Name: "mail", Type: "A", Data: "192.0.2.1", TTL: time.Minute}, {Name: "www", Type: "A", Data: "192.0.2.1", TTL: time.Minute}}}
	gets := 0
	f.fail = func(op string) error {
		if op == "get" {
			if gets++; gets > 1 {
				return &dnsError{rcode: dns.RcodeRefused} // a read after the first: refused, not retried
			}
		}
		return nil
	}
	p := newFakeRFC2136(t, f)
	if err := p.Publish(context.Background(), map[string][]netip.Addr{"web": {netip.MustParseAddr("192.0.2.2")}}); err == nil {
		t.Fatal("Publish succeeded without a read-back")
	}
	for _, r := range p.Status().Records {
		if !r.Unknown || r.InSync() {
			t.Errorf("status of %s %+v: want unknown after an unread write", r.Name, r)
		}
	}
}

// While a publish retries, the status says why and which attempt failed,
// not only that a change is pending.
func TestStatusShowsTheErrorWhileRetrying(t *testing.T) {
	f := &fakeZone{fail: func(op string) error { return &dnsError{rcode: -1, err: errors.New("connection reset by peer")} }}
	var during []string
	p := newFakeRFC2136(t, f)
	p.sleep = func(ctx context.Context, d time.Duration) error {
		during = append(during, p.Status().LastError)
		return nil
	}
	p.Publish(context.Background(), map[string][]netip.Addr{"web": {netip.MustParseAddr("192.0.2.2")}})
	if len(during) != maxAttempts-1 {
		t.Fatalf("%d waits, want %d", len(during), maxAttempts-1)
	}
	if want := "retrying (attempt 3 of 6 failed): bind-example: reading the zone example.com.: 127.0.0.1:5353: connection reset by peer"; during[2] != want {
		t.Errorf("status during the third wait:\n got %q\nwant %q", during[2], want)
	}
	if st := p.Status(); !strings.Contains(st.LastError, "gave up after 6 attempts") || st.Failure != "transient" {
		t.Errorf("status after: %q (%s)", st.LastError, st.Failure)
	}
}

// A TTL set by hand is a drift: reported under report (saying it is the
// TTL), put back under fix.
func TestTTLDrift(t *testing.T) {
	for _, policy := range []string{DriftReport, DriftFix} {
		t.Run(policy, func(t *testing.T) {
			f := &fakeZone{rrs: []libdns.RR{{Name: "mail", Type: "A", Data: "192.0.2.1", TTL: time.Minute}, {Name: "www", Type: "A", Data: "192.0.2.1", TTL: 86400 * time.Second}}}
			p := newFakeRFC2136(t, f)
			p.cfg.OnDrift = policy
			drift, err := p.Reconcile(context.Background(), map[string][]netip.Addr{"web": {netip.MustParseAddr("192.0.2.1")}})
			if err != nil || len(drift) != 1 {
				t.Fatalf("Reconcile: %v, %v; want one drift", drift, err)
			}
			want := "www.example.com. A holds 192.0.2.1 with TTL 86400, want TTL 60; reported only (on_drift: report)"
			if policy == DriftFix {
				want = "www.example.com. A holds 192.0.2.1 with TTL 86400, want TTL 60; put back"
			}
			if drift[0].String() != want {
				t.Errorf("drift\n got %s\nwant %s", drift[0], want)
			}
			f.mu.Lock()
			ttl := f.rrs[slices.IndexFunc(f.rrs, func(rr libdns.RR) bool { return rr.Name == "www" })].TTL
			f.mu.Unlock()
			if wantTTL := map[string]time.Duration{DriftReport: 86400 * time.Second, DriftFix: time.Minute}[policy]; ttl != wantTTL {
				t.Errorf("www's TTL is %v, want %v", ttl, wantTTL)
			}
		})
	}
}

// Cloudflare reports a proxied record's TTL as 1 (automatic): never a
// drift.
func TestProxiedTTLIsNotDrift(t *testing.T) {
	r := Record{Name: "www", Type: "A", TTL: time.Minute}
	live := liveSet{"www A": {{addr: netip.MustParseAddr("192.0.2.1"), proxied: true, raw: libdns.RR{Name: "www", Type: "A", Data: "192.0.2.1", TTL: time.Second}}}}
	if ttl, bad := live.wrongTTL(r); bad {
		t.Errorf("a proxied record's TTL %v is taken for a drift", ttl)
	}
	live["www A"][0].proxied = false
	if _, bad := live.wrongTTL(r); !bad {
		t.Error("an unproxied record's TTL 1 is not taken for a drift")
	}
}

// When one record's put-back fails, each record carries its own outcome:
// the other is put back, and not said to have failed.
func TestEachDriftCarriesItsOwnOutcome(t *testing.T) {
	f := &fakeZone{rrs: []libdns.RR{{Name: "mail", Type: "A", Data: "203.0.113.9", TTL: time.Minute}, {Name: "www", Type: "A", Data: "203.0.113.9", TTL: time.Minute}}}
	f.failRR = func(op string, rr libdns.RR) error {
		if rr.Name == "mail" {
			return &dnsError{update: true, rcode: dns.RcodeRefused}
		}
		return nil
	}
	p := newFakeRFC2136(t, f)
	drift, _ := p.Reconcile(context.Background(), map[string][]netip.Addr{"web": {netip.MustParseAddr("192.0.2.1")}})
	if len(drift) != 2 {
		t.Fatalf("drift %v, want two", drift)
	}
	if mail := drift[0]; mail.Fixed || !strings.Contains(mail.FixError, "refused the update of mail.example.com. A") {
		t.Errorf("mail: fixed %v, error %q", mail.Fixed, mail.FixError)
	}
	if www := drift[1]; !www.Fixed || www.FixError != "" {
		t.Errorf("www: fixed %v, error %q; want put back, no error", www.Fixed, www.FixError)
	}
}

// A drift left standing is told (logged, printed) when found, then again
// only an hour later; a new value is told at once.
func TestStandingDriftIsToldHourly(t *testing.T) {
	f := &fakeZone{rrs: []libdns.RR{{Name: "mail", Type: "A", Data: "192.0.2.1", TTL: time.Minute}, {Name: "www", Type: "A", Data: "203.0.113.9", TTL: time.Minute}}}
	p := newFakeRFC2136(t, f)
	p.cfg.OnDrift = DriftReport
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	p.clock = func() time.Time { return now }
	want := map[string][]netip.Addr{"web": {netip.MustParseAddr("192.0.2.1")}}
	told := func() bool {
		t.Helper()
		drift, err := p.Reconcile(context.Background(), want)
		if err != nil || len(drift) != 1 {
			t.Fatalf("Reconcile: %v, %v", drift, err)
		}
		return drift[0].Tell
	}
	steps := []struct {
		after time.Duration
		edit  string
		tell  bool
	}{{0, "", true}, {time.Minute, "", false}, {50 * time.Minute, "", false}, {10 * time.Minute, "", true},
		{time.Minute, "", false}, {time.Minute, "203.0.113.10", true}}
	for i, s := range steps {
		now = now.Add(s.after)
		if s.edit != "" {
			f.mu.Lock()
			f.rrs[1].Data = s.edit
			f.mu.Unlock()
		}
		if got := told(); got != s.tell {
			t.Errorf("read-back %d: told %v, want %v", i, got, s.tell)
		}
	}
}
