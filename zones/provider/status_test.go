package provider

import (
	"context"
	"errors"
	"net/netip"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/libdns/libdns"
)

// A Publisher started from a saved status shows it until it talks to the
// provider itself; records no longer configured are dropped.
func TestRestoreStartsFromSavedStatus(t *testing.T) {
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	main4 := netip.MustParseAddr("192.0.2.1")
	saved := Status{Name: "fake", LastSuccess: at, LastVerified: at, LastError: "boom", Failure: "transient",
		Records: []RecordStatus{
			{Name: "www", Type: "A", Service: "old", Want: []netip.Addr{main4}, Live: []netip.Addr{main4}, Read: true, VerifiedAt: at},
			{Name: "gone", Type: "A", Service: "web", Read: true},
		}}
	var waits []time.Duration
	f := &fakeZone{rrs: []libdns.RR{{Name: "www", Type: "A", Data: "192.0.2.1"}, {Name: "www", Type: "AAAA", Data: "2001:db8::1"}}}
	p := newFakePublisher(t, f, &waits)
	p.Restore(saved)
	st := p.Status()
	want := RecordStatus{Name: "www", Type: "A", Service: "web", Want: []netip.Addr{main4}, Live: []netip.Addr{main4}, Read: true, VerifiedAt: at}
	if !reflect.DeepEqual(st.Records[0], want) || st.Records[1].Read || st.LastError != "boom" || !st.LastVerified.Equal(at) {
		t.Fatalf("restored status %+v", st)
	}
	if err := p.Publish(context.Background(), map[string][]netip.Addr{"web": {main4, netip.MustParseAddr("2001:db8::1")}}); err != nil {
		t.Fatal(err)
	}
	p.Restore(saved) // too late: the Publisher knows better now
	if st := p.Status(); st.LastError != "" || !st.Records[1].InSync() || st.Records[0].VerifiedAt.Equal(at) {
		t.Errorf("a Restore after a publish changed the status: %+v", st)
	}
}

func TestDriftString(t *testing.T) {
	d := Drift{FQDN: "www.example.com.", Record: Record{Type: "A"}, Want: []netip.Addr{netip.MustParseAddr("198.51.100.20")},
		Live: []string{"203.0.113.99"}, Policy: DriftFix, Fixed: true}
	cases := []struct {
		change func(*Drift)
		want   string
	}{
		{func(*Drift) {}, "www.example.com. A holds 203.0.113.99, want 198.51.100.20; put back"},
		{func(d *Drift) { d.Fixed, d.Policy = false, DriftReport }, "www.example.com. A holds 203.0.113.99, want 198.51.100.20; reported only (on_drift: report)"},
		{func(d *Drift) { d.Fixed, d.FixError, d.Live = false, "HTTP 502", nil }, "www.example.com. A holds nothing, want 198.51.100.20; putting it back failed: HTTP 502"},
	}
	for _, tc := range cases {
		c := d
		c.Live = slices.Clone(d.Live)
		tc.change(&c)
		if c.String() != tc.want {
			t.Errorf("got  %s\nwant %s", c, tc.want)
		}
	}
}

// FailingSince is when a run of failures began: attempts that fail again
// leave it, a success clears it, and the next failure starts it anew.
func TestFailingSinceIsTheFirstFailure(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	var b statusBox
	b.init(Config{Name: "cf"})
	err := errors.New("no response within 3s")
	b.retrying(t0, err)
	b.retrying(t0.Add(6*time.Second), err)
	b.done(t0.Add(20*time.Second), err)
	if st := b.get(); !st.FailingSince.Equal(t0) || !st.LastErrorAt.Equal(t0.Add(20*time.Second)) {
		t.Errorf("after three failures: failing since %v, last error at %v; want %v and 20s later", st.FailingSince, st.LastErrorAt, t0)
	}
	b.done(t0.Add(time.Minute), nil)
	if st := b.get(); !st.FailingSince.IsZero() {
		t.Errorf("after a success: failing since %v, want zero", st.FailingSince)
	}
	b.retrying(t0.Add(2*time.Minute), err)
	if st := b.get(); !st.FailingSince.Equal(t0.Add(2 * time.Minute)) {
		t.Errorf("a new failure: failing since %v, want %v", st.FailingSince, t0.Add(2*time.Minute))
	}
}
