package providers

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zonerw/zonerw/zones/provider"
)

const (
	zone        = "example.com"
	goodToken   = "emulator-token-not-a-secret"
	tokenSource = "token_file /etc/zonerw/provider.token"
)

// Addresses published in records. They are data, never dialled.
var (
	main4   = netip.MustParseAddr("192.0.2.10")
	backup4 = netip.MustParseAddr("198.51.100.20")
	main6   = netip.MustParseAddr("2001:db8::10")
	backup6 = netip.MustParseAddr("2001:db8::20")
	onMain  = map[string][]netip.Addr{"web": {main4, main6}}
	onBkup  = map[string][]netip.Addr{"web": {backup4, backup6}}
)

// emulator is what the shared tests need from either emulator.
type emulator interface {
	URL() string
	Host() string
	Inject(Fault)
	Requests() []Request
	History() []Change
	values(name, typ string) []string
	seed(name, typ string, values ...string)
	edit(name, typ, value string)
}

type cfEmulator struct{ *Cloudflare }

func (c cfEmulator) values(name, typ string) []string { return c.Values(zone, name, typ) }
func (c cfEmulator) seed(name, typ string, values ...string) {
	for _, v := range values {
		c.Seed(zone, name, typ, v, 60, false)
	}
}
func (c cfEmulator) edit(name, typ, value string) {
	for _, r := range c.Records(zone, name, typ)[:1] {
		c.Edit(zone, r.ID, value)
	}
}

type gandiEmulator struct{ *Gandi }

func (g gandiEmulator) values(name, typ string) []string { return g.Values(zone, name, typ) }
func (g gandiEmulator) seed(name, typ string, values ...string) {
	g.Seed(zone, name, typ, 300, values...)
}
func (g gandiEmulator) edit(name, typ, value string) { g.Edit(zone, name, typ, value) }

func newCloudflare(t *testing.T) emulator {
	c := NewCloudflare(t)
	c.AddToken(goodToken, CFToken{ZoneRead: true, DNSWrite: true})
	c.AddZone(zone)
	return cfEmulator{c}
}

func newGandi(t *testing.T) emulator {
	g := NewGandi(t)
	g.AddToken(goodToken, zone)
	g.AddDomain(zone)
	return gandiEmulator{g}
}

// kinds is the table every shared test runs over.
var kinds = []struct {
	kind provider.Kind
	emu  func(t *testing.T) emulator
}{
	{provider.Cloudflare, newCloudflare},
	{provider.Gandi, newGandi},
}

// rig is a Publisher wired to an emulator, with instant recorded sleeps, a
// recorded log and a transport that fails the test on any request that is
// not for the emulator.
type rig struct {
	pub    *provider.Publisher
	emu    emulator
	now    time.Time
	mu     sync.Mutex
	sleeps []time.Duration
	logs   *syncBuffer
	// stopped: the test closed the emulator, so requests were sent that
	// it never logged.
	stopped bool
}

func newRig(t *testing.T, kind provider.Kind, emu emulator, change func(*provider.Config)) *rig {
	t.Helper()
	cfg := provider.Config{
		Name: string(kind) + "-example", Kind: kind, Zone: zone, Token: goodToken, TokenSource: tokenSource, APIURL: emu.URL(),
		Records: []provider.Record{
			{Name: "www", Type: "A", Service: "web"},
			{Name: "@", Type: "AAAA", Service: "web"},
		},
	}
	if change != nil {
		change(&cfg)
	}
	r := &rig{emu: emu, now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC), logs: &syncBuffer{}}
	g := &guard{t: t, host: emu.Host(), next: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(func() {
		g.next.CloseIdleConnections()
		if n, logged := g.count(), len(emu.Requests()); n != logged && !r.stopped {
			t.Errorf("the publisher sent %d requests but the emulator logged %d", n, logged)
		}
	})
	log := slog.New(slog.NewTextHandler(r.logs, nil))
	pub, err := provider.New(cfg, log, func() time.Time { return r.now }, provider.WithSleep(r.sleep), provider.WithTransport(g))
	if err != nil {
		t.Fatalf("provider.New: %v", err)
	}
	r.pub = pub
	return r
}

func (r *rig) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sleeps = append(r.sleeps, d)
	return ctx.Err()
}

func (r *rig) slept() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sleeps)
}

// publish calls Publish and fails the test on an error.
func (r *rig) publish(t *testing.T, want map[string][]netip.Addr) {
	t.Helper()
	if err := r.pub.Publish(context.Background(), want); err != nil {
		t.Fatalf("Publish: %v\nlog:\n%s", err, r.logs)
	}
}

// holds fails the test unless the emulator holds exactly want for name/typ.
func holds(t *testing.T, e emulator, name, typ string, want ...netip.Addr) {
	t.Helper()
	var ws []string
	for _, a := range want {
		ws = append(ws, a.String())
	}
	slices.Sort(ws)
	if got := e.values(name, typ); !slices.Equal(got, ws) {
		t.Errorf("%s %s holds %v, want exactly %v", name, typ, got, ws)
	}
}

// neverEmpty fails the test if, once it first existed, the RRset was ever
// without a value.
func neverEmpty(t *testing.T, e emulator, fqdn, typ string) {
	t.Helper()
	seen := false
	for _, c := range e.History() {
		if c.Name != fqdn || c.Type != typ {
			continue
		}
		if seen && len(c.Values) == 0 {
			t.Errorf("%s %s was empty after change %d (%s)", fqdn, typ, c.Seq, c.By)
		}
		seen = seen || len(c.Values) > 0
	}
	if !seen {
		t.Errorf("%s %s never held a value", fqdn, typ)
	}
}

// methods counts the emulator's requests by method.
func methods(e emulator) map[string]int {
	n := map[string]int{}
	for _, r := range e.Requests() {
		n[r.Method]++
	}
	return n
}

// guard passes on only requests for the emulator's host; any other request
// fails the test and is not sent.
type guard struct {
	t    *testing.T
	host string
	next *http.Transport
	mu   sync.Mutex
	n    int
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != g.host {
		g.t.Errorf("a request escaped the emulator: %s %s", req.Method, req.URL)
		return nil, errors.New("blocked by the test guard")
	}
	g.mu.Lock()
	g.n++
	g.mu.Unlock()
	return g.next.RoundTrip(req)
}

func (g *guard) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n
}

// syncBuffer is a bytes.Buffer safe for the logger and the test to share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *syncBuffer) contains(s string) bool { return strings.Contains(b.String(), s) }
