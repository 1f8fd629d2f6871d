package publish_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/dnsserver"
	"github.com/zonerw/zonerw/templates"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/publish"
	"github.com/zonerw/zonerw/zones/store"
)

// bigTemplate is a zone of n records, one of them (www) a marker record.
func bigTemplate(n int) []byte {
	var b bytes.Buffer
	b.WriteString("$ORIGIN example.com.\n$TTL 3600\n@ IN SOA ns1 hostmaster ( @serial number@ 3600 900 1209600 300 )\n" +
		"  IN NS ns1\nns1 IN A 127.0.0.53\nwww 300 IN A 127.0.0.10 ; @IP@\n")
	for i := range max(n-4, 0) {
		fmt.Fprintf(&b, "host%d IN A 10.%d.%d.%d\n", i, (i>>16)&255, (i>>8)&255, i&255)
	}
	return b.Bytes()
}

var (
	benchMain   = netip.MustParseAddr("127.0.0.10")
	benchBackup = netip.MustParseAddr("127.0.0.20")
)

func benchValues(a netip.Addr) publish.Values {
	return publish.Values{Active: map[string]templates.Addrs{"web": {IPv4: []netip.Addr{a}}}}
}

// benchServer is a pipeline whose zone goes to an embedded nameserver,
// with its store in a temp directory on disk (each version is appended
// and synced before the server is told, as in zonerw serve).
type benchServer struct {
	pipe *publish.Pipeline
	srv  *dnsserver.Server
}

func newBenchServer(b *testing.B, n int) *benchServer {
	b.Helper()
	log := slog.New(slog.DiscardHandler)
	svcs := []templates.Service{{Name: "web", Targets: []templates.Target{{Name: "main", IPv4: []netip.Addr{benchMain}}, {Name: "backup", IPv4: []netip.Addr{benchBackup}}}}}
	tmpl, err := templates.Parse("big.tmpl", bigTemplate(n), svcs, "web")
	if err != nil {
		b.Fatal(err)
	}
	z := &publish.Zone{Name: "example.com.", Template: tmpl, Policy: zones.Increment}
	st, err := store.Open(b.TempDir(), 0, log)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := dnsserver.New(dnsserver.Config{Zones: []dnsserver.ZoneConfig{{Name: "example.com."}}}, log)
	if err != nil {
		b.Fatal(err)
	}
	p := publish.New(publish.Config{Store: st, Log: log})
	p.AddZone(z.Name, publish.ZoneState{})
	p.AddDestination(z.Name, "nameserver", serverDest{srv}, 10*time.Second, publish.Retry{})
	c, err := publish.Compile(z)
	if err != nil {
		b.Fatal(err)
	}
	p.Start()
	b.Cleanup(func() { p.Stop(time.Second) })
	if _, err := p.Apply([]*publish.Compiled{c}, benchValues(benchMain), false, true); err != nil {
		b.Fatal(err)
	}
	s := &benchServer{pipe: p, srv: srv}
	s.waitFor(b, benchMain)
	return s
}

type serverDest struct{ srv *dnsserver.Server }

func (d serverDest) Deliver(_ context.Context, r *publish.Release) error {
	return d.srv.Publish(r.Version)
}

// answers is what the server answers for www A now.
func (s *benchServer) answers() netip.Addr {
	w := &capture{}
	q := new(dns.Msg)
	q.SetQuestion("www.example.com.", dns.TypeA)
	s.srv.ServeDNS(w, q)
	if w.m == nil || len(w.m.Answer) == 0 {
		return netip.Addr{}
	}
	a, _ := netip.AddrFromSlice(w.m.Answer[0].(*dns.A).A.To4())
	return a
}

// waitFor spins until the server answers addr: the decision has reached
// the world.
func (s *benchServer) waitFor(b *testing.B, addr netip.Addr) {
	deadline := time.Now().Add(time.Minute)
	for s.answers() != addr {
		if time.Now().After(deadline) {
			b.Fatalf("the server never answered %s", addr)
		}
		runtime.Gosched()
	}
}

// BenchmarkDecisionToAnswer times a failover decision (the services'
// new addresses handed to the pipeline) until the embedded nameserver
// answers the new address: version made, journal entry appended and
// synced, worker wakes, server swaps. It should not grow with the zone.
// peak/steady is the process's peak RSS during one publish over its RSS
// just before it; rss-bytes/record the RSS of the process holding the
// zone (the test binary, the Go runtime, the zone and its store).
func BenchmarkDecisionToAnswer(b *testing.B) {
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			s := newBenchServer(b, n)
			addr := benchMain
			flip := func() {
				if addr == benchMain {
					addr = benchBackup
				} else {
					addr = benchMain
				}
				s.pipe.Publish(benchValues(addr))
				s.waitFor(b, addr)
			}
			runtime.GC()
			debug.FreeOSMemory()
			steady := resetPeakRSS(b)
			flip()
			peak := peakRSS(b)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				flip()
			}
			b.StopTimer()
			if steady > 0 {
				b.ReportMetric(float64(peak)/float64(steady), "peak/steady")
				b.ReportMetric(float64(steady)/float64(n), "rss-bytes/record")
			}
		})
	}
}

// BenchmarkCompile times a full compile (a load, a reload, --force).
func BenchmarkCompile(b *testing.B) {
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			svcs := []templates.Service{{Name: "web", Targets: []templates.Target{{Name: "main", IPv4: []netip.Addr{benchMain}}}}}
			text := bigTemplate(n)
			b.ReportAllocs()
			for b.Loop() {
				tmpl, err := templates.Parse("big.tmpl", text, svcs, "web")
				if err != nil {
					b.Fatal(err)
				}
				if _, err := publish.Compile(&publish.Zone{Name: "example.com.", Template: tmpl, Policy: zones.Increment}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// resetPeakRSS clears the kernel's peak-RSS mark and returns the RSS now.
func resetPeakRSS(b *testing.B) int64 {
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	return procStatus(b, "VmRSS:")
}

func peakRSS(b *testing.B) int64 { return procStatus(b, "VmHWM:") }

// procStatus reads a kB figure from /proc/self/status, in bytes; 0 where
// there is none.
func procStatus(b *testing.B, field string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// capture is a dns.ResponseWriter keeping the message written.
type capture struct{ m *dns.Msg }

func (c *capture) LocalAddr() net.Addr         { return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53} }
func (c *capture) RemoteAddr() net.Addr        { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000} }
func (c *capture) WriteMsg(m *dns.Msg) error   { c.m = m; return nil }
func (c *capture) Write(b []byte) (int, error) { return len(b), nil }
func (c *capture) Close() error                { return nil }
func (c *capture) TsigStatus() error           { return nil }
func (c *capture) TsigTimersOnly(bool)         {}
func (c *capture) Hijack()                     {}
