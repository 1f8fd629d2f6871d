package provider

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libdns/libdns"
)

// fakeZone is an in-memory zoneAPI. fail, when set, is called before each
// operation and may return an error or panic.
type fakeZone struct {
	mu   sync.Mutex
	rrs  []libdns.RR
	ops  []string
	fail func(op string) error
	// failRR, when set, is called for each record an append or delete
	// is given, before it is changed.
	failRR func(op string, rr libdns.RR) error
}

func (f *fakeZone) doRR(op string, rr libdns.RR) error {
	if f.failRR != nil {
		return f.failRR(op, rr)
	}
	return nil
}

func (f *fakeZone) do(op string) error {
	f.mu.Lock()
	f.ops = append(f.ops, op)
	f.mu.Unlock()
	if f.fail != nil {
		return f.fail(op)
	}
	return nil
}

func (f *fakeZone) GetRecords(ctx context.Context, zone string) ([]libdns.Record, error) {
	if err := f.do("get"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []libdns.Record
	for _, rr := range f.rrs {
		out = append(out, rr)
	}
	return out, nil
}

func (f *fakeZone) AppendRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	if err := f.do("append"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range recs {
		if err := f.doRR("append", r.RR()); err != nil {
			return nil, err
		}
		// As at Gandi or an RFC 2136 server: a value held already is
		// replaced, and the RRset takes the TTL of the record written.
		rr := r.RR()
		f.rrs = slices.DeleteFunc(f.rrs, func(x libdns.RR) bool { return x.Name == rr.Name && x.Type == rr.Type && x.Data == rr.Data })
		for i, x := range f.rrs {
			if x.Name == rr.Name && x.Type == rr.Type {
				f.rrs[i].TTL = rr.TTL
			}
		}
		f.rrs = append(f.rrs, rr)
	}
	return recs, nil
}

// SetRecords replaces each (name, type) RRset given, as libdns specifies
// (and RFC 2136's delete-then-add in one UPDATE does).
func (f *fakeZone) SetRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	if err := f.do("set"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range recs {
		rr := r.RR()
		f.rrs = slices.DeleteFunc(f.rrs, func(x libdns.RR) bool { return x.Name == rr.Name && x.Type == rr.Type })
	}
	for _, r := range recs {
		f.rrs = append(f.rrs, r.RR())
	}
	return recs, nil
}

func (f *fakeZone) DeleteRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	if err := f.do("delete"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range recs {
		rr := r.RR()
		if err := f.doRR("delete", rr); err != nil {
			return nil, err
		}
		f.rrs = slices.DeleteFunc(f.rrs, func(x libdns.RR) bool { return x.Name == rr.Name && x.Type == rr.Type && x.Data == rr.Data })
	}
	return recs, nil
}

// newFakePublisher builds a Gandi-like Publisher (no in-place updates)
// over f, with waits that are instant and recorded.
func newFakePublisher(t *testing.T, f *fakeZone, waits *[]time.Duration) *Publisher {
	t.Helper()
	cfg := Config{Name: "fake", Kind: Gandi, Zone: "example.com", Token: "tok-123456",
		Records: []Record{{Name: "www", Type: "A", Service: "web"}, {Name: "www", Type: "AAAA", Service: "web"}}}
	p, err := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now, WithSleep(func(ctx context.Context, d time.Duration) error {
		*waits = append(*waits, d)
		return ctx.Err()
	}))
	if err != nil {
		t.Fatal(err)
	}
	p.api, p.route = f, nil
	return p
}

// A service without an address of a record's family leaves that record
// alone (never emptied) and says so; the other record is still published.
func TestPublishLeavesRecordWithoutAddressAlone(t *testing.T) {
	f := &fakeZone{rrs: []libdns.RR{{Name: "www", Type: "A", Data: "192.0.2.1"}, {Name: "www", Type: "AAAA", Data: "2001:db8::1"}}}
	var waits []time.Duration
	p := newFakePublisher(t, f, &waits)
	err := p.Publish(context.Background(), map[string][]netip.Addr{"web": {netip.MustParseAddr("192.0.2.2")}})
	if err == nil || !strings.Contains(err.Error(), `fake: www.example.com. AAAA: service "web" has no IPv6 address to publish`) {
		t.Fatalf("Publish: %v", err)
	}
	want := []libdns.RR{{Name: "www", Type: "AAAA", Data: "2001:db8::1"}, {Name: "www", Type: "A", TTL: 300 * time.Second, Data: "192.0.2.2"}}
	if !slices.Equal(f.rrs, want) {
		t.Errorf("zone %v, want %v", f.rrs, want)
	}
	if ops := strings.Join(f.ops, " "); ops != "get append delete get" {
		t.Errorf("operations %q, want add before delete and a read back", ops)
	}
}

// A panic inside the library (libdns/cloudflare panics on some malformed
// lists) becomes an error; a secret in a library error is hidden.
func TestPublishSurvivesLibraryPanicAndHidesToken(t *testing.T) {
	cases := []struct {
		name string
		fail func(string) error
		want string
	}{
		{"panic", func(string) error { panic("runtime error: integer divide by zero") },
			"fake: reading the zone example.com.: the library failed on the API's response: runtime error: integer divide by zero"},
		{"token in error", func(string) error { return errors.New("GET https://x/?auth=tok-123456: bad") },
			"fake: reading the zone example.com.: GET https://x/?auth=[redacted]: bad"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var waits []time.Duration
			p := newFakePublisher(t, &fakeZone{fail: tc.fail}, &waits)
			err := p.Publish(context.Background(), map[string][]netip.Addr{"web": {netip.MustParseAddr("192.0.2.2")}})
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("Publish: %v\nwant prefix: %s", err, tc.want)
			}
		})
	}
}

// A cancelled context stops the retries at once, keeping the last error.
func TestPublishStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f := &fakeZone{fail: func(string) error { cancel(); return errors.New("connection refused") }}
	var waits []time.Duration
	p := newFakePublisher(t, f, &waits)
	err := p.Publish(ctx, map[string][]netip.Addr{"web": {netip.MustParseAddr("192.0.2.2")}})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "connection refused") || len(f.ops) != 1 {
		t.Fatalf("Publish: %v after %d operations; want the cause and context.Canceled after 1", err, len(f.ops))
	}
}
