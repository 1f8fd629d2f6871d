package provider

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/libdns/libdns"
)

// Under on_drift "report" a drift stands in the status, with when it was
// first found, until the record holds what was published again; it is
// not a pending change, and a saved status carries it.
func TestStandingDriftInStatus(t *testing.T) {
	main4, main6 := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")
	want := map[string][]netip.Addr{"web": {main4, main6}}
	f := &fakeZone{}
	var waits []time.Duration
	p := newFakePublisher(t, f, &waits)
	p.cfg.OnDrift = DriftReport
	ctx := context.Background()
	if err := p.Publish(ctx, want); err != nil {
		t.Fatal(err)
	}
	setA := func(v string) {
		f.mu.Lock()
		defer f.mu.Unlock()
		for i, rr := range f.rrs {
			if rr.Type == "A" {
				f.rrs[i].Data = v
			}
		}
	}
	setA("203.0.113.99")
	if _, err := p.Reconcile(ctx, want); err != nil {
		t.Fatal(err)
	}
	a := p.Status().Records[0]
	if a.Drift != "www.example.com. A holds 203.0.113.99, want 192.0.2.1; reported only (on_drift: report)" || a.DriftSince.IsZero() || a.Pending() {
		t.Fatalf("after a reported drift: %+v (pending %v)", a, a.Pending())
	}
	if aaaa := p.Status().Records[1]; aaaa.Drift != "" || !aaaa.InSync() {
		t.Errorf("the AAAA record, in sync, shows %+v", aaaa)
	}
	since := a.DriftSince

	// Found again, changed again: it stands since it was first found.
	setA("203.0.113.98")
	if _, err := p.Reconcile(ctx, want); err != nil {
		t.Fatal(err)
	}
	if a := p.Status().Records[0]; !strings.Contains(a.Drift, "holds 203.0.113.98") || !a.DriftSince.Equal(since) {
		t.Fatalf("found again: %+v, want since %v", a, since)
	}

	// A later process sees it from the saved status.
	q := newFakePublisher(t, f, &waits)
	q.Restore(p.Status())
	if a := q.Status().Records[0]; !strings.Contains(a.Drift, "holds 203.0.113.98") {
		t.Fatalf("restored: %+v", a)
	}

	// Put back by hand: over.
	setA("192.0.2.1")
	if _, err := p.Reconcile(ctx, want); err != nil {
		t.Fatal(err)
	}
	if a := p.Status().Records[0]; a.Drift != "" || !a.DriftSince.IsZero() || !a.InSync() {
		t.Fatalf("back in sync: %+v", a)
	}

	// Over after a publish too, which writes what the services serve.
	setA("203.0.113.99")
	if _, err := p.Reconcile(ctx, want); err != nil {
		t.Fatal(err)
	}
	backup := map[string][]netip.Addr{"web": {netip.MustParseAddr("192.0.2.2"), main6}}
	if err := p.Publish(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if a := p.Status().Records[0]; a.Drift != "" || !a.InSync() {
		t.Fatalf("after a publish: %+v", a)
	}
}

// Under "fix" a drift put back leaves nothing standing; one that could
// not be put back stands, saying why.
func TestFailedPutBackStands(t *testing.T) {
	main4, main6 := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")
	want := map[string][]netip.Addr{"web": {main4, main6}}
	f := &fakeZone{rrs: []libdns.RR{{Name: "www", Type: "A", Data: "203.0.113.99", TTL: 300 * time.Second},
		{Name: "www", Type: "AAAA", Data: main6.String(), TTL: 300 * time.Second}}}
	var waits []time.Duration
	p := newFakePublisher(t, f, &waits)
	f.fail = func(op string) error {
		if op == "append" {
			return errors.New("invalid record") // not retried
		}
		return nil
	}
	drift, _ := p.Reconcile(context.Background(), want)
	if len(drift) != 1 || drift[0].Fixed {
		t.Fatalf("drift %+v", drift)
	}
	if a := p.Status().Records[0]; !strings.Contains(a.Drift, "putting it back failed") {
		t.Fatalf("a failed put-back: %+v", a)
	}
	f.fail = nil
	drift, err := p.Reconcile(context.Background(), want)
	if err != nil || len(drift) != 1 || !drift[0].Fixed {
		t.Fatalf("drift %+v, %v", drift, err)
	}
	if a := p.Status().Records[0]; a.Drift != "" || !a.InSync() {
		t.Fatalf("put back: %+v", a)
	}
}
