package rfc2136

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/integration/peers"
	"github.com/zonerw/zonerw/zones/provider"
)

const zone = "example.com"

// Addresses published in records. They are data, never dialled.
var (
	main4   = netip.MustParseAddr("192.0.2.10")
	backup4 = netip.MustParseAddr("198.51.100.20")
	main6   = netip.MustParseAddr("2001:db8::10")
	backup6 = netip.MustParseAddr("2001:db8::20")
	onMain  = map[string][]netip.Addr{"web": {main4, main6}}
	onBkup  = map[string][]netip.Addr{"web": {backup4, backup6}}
)

// zoneText is the zone both servers start from: www A and the apex AAAA
// on main.
const zoneText = `$TTL 300
@ IN SOA ns1.example.com. hostmaster.example.com. 1 3600 600 86400 60
@ IN NS ns1.example.com.
ns1 IN A 127.0.0.1
www 60 IN A 192.0.2.10
@ 60 IN AAAA 2001:db8::10
`

// keySource is how the publisher names its key in messages.
const keySource = `"zonerw" (file /etc/zonerw/zonerw.key)`

// server is one primary implementation: its binary and Debian package,
// the loopback address it can bind, how to start it, and its zone stanza
// (README.md's), made to allow transfers for the history check.
type server struct {
	name, binary, pkg, ip string
	start                 func(t testing.TB, bin string, p peers.Primary)
	stanza                func(t *testing.T) string
}

var servers = []server{
	// named binds only addresses configured on an interface: lo has 127.0.0.1.
	{name: "bind", binary: "named", pkg: "bind9", ip: "127.0.0.1", start: peers.StartBINDPrimary,
		stanza: func(t *testing.T) string { return readmeBlock(t, "bind") }},
	{name: "knot", binary: "knotd", pkg: "knot", ip: "127.0.0.4", start: peers.StartKnotPrimary,
		stanza: func(t *testing.T) string {
			return mustReplace(t, readmeBlock(t, "knot"), "    acl: zonerw-update\n", "    acl: [zonerw-update, test-transfer]\n")
		}},
}

// readmeBlock is the text of README.md's first ```lang block.
func readmeBlock(t *testing.T, lang string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "\n```"+lang+"\n")
	block, _, closed := strings.Cut(rest, "\n```\n")
	if !ok || !closed {
		t.Fatalf("README.md has no ```%s block", lang)
	}
	return block + "\n"
}

func mustReplace(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("%q not found in:\n%s", old, s)
	}
	return strings.Replace(s, old, new, 1)
}

// newKey is a fresh hmac-sha256 key named zonerw.
func newKey(t *testing.T) peers.Key {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return peers.Key{Name: "zonerw", Algorithm: "hmac-sha256", Secret: base64.StdEncoding.EncodeToString(b)}
}

// primary is a running server for the zone.
type primary struct {
	addr netip.AddrPort
	key  peers.Key
}

// startPrimary starts s with stanza and waits until it answers for the
// zone.
func startPrimary(t *testing.T, s server, stanza string) primary {
	t.Helper()
	bin := peers.RequireBinary(t, s.binary, s.pkg)
	p := primary{addr: peers.FreePort(t, s.ip), key: newKey(t)}
	s.start(t, bin, peers.Primary{Dir: t.TempDir(), Listen: p.addr, Zone: zone, ZoneText: zoneText, Key: p.key, Stanza: stanza})
	deadline := time.Now().Add(30 * time.Second)
	for {
		m := new(dns.Msg)
		m.SetQuestion(zone+".", dns.TypeSOA)
		r, _, err := (&dns.Client{Net: "tcp", Timeout: time.Second}).Exchange(m, p.addr.String())
		if err == nil && r.Rcode == dns.RcodeSuccess && r.Authoritative {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s on %s did not answer for %s within 30s: %v", s.name, p.addr, zone, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// rig is a Publisher for the primary's zone, with instant recorded
// sleeps.
type rig struct {
	pub    *provider.Publisher
	mu     sync.Mutex
	sleeps []time.Duration
	logs   bytes.Buffer
}

func newRig(t *testing.T, p primary, change func(*provider.Config)) *rig {
	t.Helper()
	cfg := provider.Config{
		Name: "primary", Kind: provider.RFC2136, Zone: zone, Server: p.addr.String(), Timeout: 5 * time.Second,
		Key: &provider.TSIGKey{Name: p.key.Name, Algorithm: p.key.Algorithm, Secret: p.key.Secret, Source: keySource},
		Records: []provider.Record{
			{Name: "www", Type: "A", Service: "web"},
			{Name: "@", Type: "AAAA", Service: "web"},
		},
	}
	if change != nil {
		change(&cfg)
	}
	r := &rig{}
	pub, err := provider.New(cfg, slog.New(slog.NewTextHandler(&r.logs, nil)), time.Now, provider.WithSleep(r.sleep))
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

func (r *rig) publish(t *testing.T, want map[string][]netip.Addr) {
	t.Helper()
	if err := r.pub.Publish(context.Background(), want); err != nil {
		t.Fatalf("Publish: %v", err)
	}
}

// dig asks the server with dig, as an operator would, and returns the
// sorted answers.
func dig(t *testing.T, p primary, name, qtype string) []string {
	t.Helper()
	bin := peers.RequireBinary(t, "dig", "dnsutils")
	out, err := exec.Command(bin, "@"+p.addr.Addr().String(), "-p", strconv.Itoa(int(p.addr.Port())),
		"+short", "+norec", "+time=2", "+tries=2", name, qtype).CombinedOutput()
	if err != nil {
		t.Fatalf("dig %s %s: %v\n%s", name, qtype, err, out)
	}
	lines := strings.Fields(string(out))
	slices.Sort(lines)
	return lines
}

// holds fails the test unless dig finds exactly want at name/qtype.
func holds(t *testing.T, p primary, name, qtype string, want ...netip.Addr) {
	t.Helper()
	var ws []string
	for _, a := range want {
		ws = append(ws, a.String())
	}
	slices.Sort(ws)
	if got := dig(t, p, name, qtype); !slices.Equal(got, ws) {
		t.Errorf("dig %s %s: %v, want exactly %v", name, qtype, got, ws)
	}
}
