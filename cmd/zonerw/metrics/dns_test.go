package metrics

import (
	"context"
	"log/slog"
	"maps"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/zonerw/zonerw/dnsserver"
	"github.com/zonerw/zonerw/zones"
)

// series gathers the metric family name from g as label sets
// (`{a="x",b="y"}`, labels in name order) and values.
func series(t *testing.T, g prometheus.Gatherer, name string) map[string]float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]float64)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			var pairs []string
			for _, l := range m.GetLabel() {
				pairs = append(pairs, l.GetName()+`="`+l.GetValue()+`"`)
			}
			out["{"+strings.Join(pairs, ",")+"}"] = m.GetCounter().GetValue()
		}
	}
	return out
}

// gauge is the value of the unlabelled gauge name in g.
func gauge(t *testing.T, g prometheus.Gatherer, name string) float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no gauge %s", name)
	return 0
}

func checkSeries(t *testing.T, g prometheus.Gatherer, name string, want map[string]float64) {
	t.Helper()
	if got := series(t, g, name); !maps.Equal(got, want) {
		t.Errorf("%s:\n got %v\nwant %v", name, got, want)
	}
}

func TestDNSSeries(t *testing.T) {
	reg, _ := fixture(t)
	checkSeries(t, reg, "zonerw_dns_queries_total", map[string]float64{
		`{rcode="REFUSED",type="A",zone="-"}`:               5,
		`{rcode="NOERROR",type="A",zone="example.com"}`:     30,
		`{rcode="NXDOMAIN",type="AAAA",zone="example.com"}`: 2,
		`{rcode="NOERROR",type="AXFR",zone="example.com"}`:  2,
		`{rcode="NOERROR",type="IXFR",zone="example.com"}`:  3,
	})
	checkSeries(t, reg, "zonerw_dns_transfers_total", map[string]float64{
		`{result="ok",type="AXFR",zone="example.com"}`:       2,
		`{result="ok",type="IXFR",zone="example.com"}`:       1,
		`{result="uptodate",type="IXFR",zone="example.com"}`: 2,
	})
	checkSeries(t, reg, "zonerw_dns_responses_rate_limited_total", map[string]float64{
		`{action="dropped"}`: 100,
		`{action="slipped"}`: 99,
	})
	checkSeries(t, reg, "zonerw_dns_log_lines_suppressed_total", map[string]float64{`{message="transfer refused"}`: 12})
	checkSeries(t, reg, "zonerw_dns_tcp_connections_evicted_total", map[string]float64{`{}`: 4})
	if got := gauge(t, reg, "zonerw_dns_tcp_connections"); got != 3 {
		t.Errorf("zonerw_dns_tcp_connections = %v, want 3", got)
	}
	checkSeries(t, reg, "zonerw_dns_notify_sent_total", map[string]float64{
		`{secondary="127.0.0.2:53",zone="example.com"}`: 4,
		`{secondary="127.0.0.3:53",zone="example.com"}`: 9,
	})
	checkSeries(t, reg, "zonerw_dns_notify_acknowledged_total", map[string]float64{
		`{secondary="127.0.0.2:53",zone="example.com"}`: 3,
		`{secondary="127.0.0.3:53",zone="example.com"}`: 1,
	})
}

func TestZoneLabel(t *testing.T) {
	for zone, want := range map[string]string{"": "-", "example.com.": "example.com", ".": ".", "example.com": "example.com"} {
		if got := zoneLabel(zone); got != want {
			t.Errorf("zoneLabel(%q) = %q, want %q", zone, got, want)
		}
	}
}

// TestDNSCollectorFromServer scrapes the counters of a real nameserver
// after real queries over loopback.
func TestDNSCollectorFromServer(t *testing.T) {
	srv, addr := startNameserver(t)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewDNSCollector(srv.Stats))

	ask := func(network, name string, qtype uint16, ns ...dns.RR) {
		t.Helper()
		m := new(dns.Msg)
		m.SetQuestion(name, qtype)
		m.Ns = ns
		c := &dns.Client{Net: network, Timeout: 5 * time.Second}
		if _, _, err := c.Exchange(m, addr); err != nil {
			t.Fatalf("%s %s: %v", network, name, err)
		}
	}
	ask("udp", "www.example.com.", dns.TypeA)
	ask("udp", "www.example.com.", dns.TypeA)
	ask("udp", "nope.example.com.", dns.TypeA)
	ask("udp", "www.example.net.", dns.TypeA)
	ask("udp", "example.com.", dns.TypeAXFR) // NOTIMP: AXFR is TCP only
	ask("tcp", "example.com.", dns.TypeAXFR)
	soa, err := dns.NewRR("example.com. 60 SOA ns1.example.com. hm.example.com. 7 60 60 60 60")
	if err != nil {
		t.Fatal(err)
	}
	ask("tcp", "example.com.", dns.TypeIXFR, soa)

	// The server counts an answer after sending it, so the client may
	// be done before the server has counted: wait for every count.
	counted := func() bool {
		st := srv.Stats()
		var transfers uint64
		for _, c := range st.TransferCounts {
			transfers += c.Count
		}
		return st.Queries == 7 && transfers == 3
	}
	for deadline := time.Now().Add(10 * time.Second); !counted() && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond) // polling interval, not a wait for an outcome
	}
	checkSeries(t, reg, "zonerw_dns_queries_total", map[string]float64{
		`{rcode="NOERROR",type="A",zone="example.com"}`:    2,
		`{rcode="NXDOMAIN",type="A",zone="example.com"}`:   1,
		`{rcode="REFUSED",type="A",zone="-"}`:              1,
		`{rcode="NOTIMP",type="AXFR",zone="example.com"}`:  1,
		`{rcode="NOERROR",type="AXFR",zone="example.com"}`: 1,
		`{rcode="NOERROR",type="IXFR",zone="example.com"}`: 1,
	})
	checkSeries(t, reg, "zonerw_dns_transfers_total", map[string]float64{
		`{result="refused",type="AXFR",zone="example.com"}`:  1,
		`{result="ok",type="AXFR",zone="example.com"}`:       1,
		`{result="uptodate",type="IXFR",zone="example.com"}`: 1,
	})
}

// startNameserver serves example.com (serial 7, transfers allowed to
// loopback) on fresh loopback sockets and returns the server and address.
func startNameserver(t *testing.T) (*dnsserver.Server, string) {
	t.Helper()
	srv, err := dnsserver.New(dnsserver.Config{Zones: []dnsserver.ZoneConfig{{
		Name: "example.com", AllowTransfer: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
	}}}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	text := "@ 60 SOA ns1 hm 7 60 60 60 60\n@ 60 NS ns1\nns1 60 A 192.0.2.1\nwww 60 A 192.0.2.10\n"
	z, err := zones.ParseVersion("example.com", "example.com.zone", []byte(text), zones.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Publish(z); err != nil {
		t.Fatal(err)
	}
	// The UDP port the kernel picks may be taken on TCP by another
	// program (the machine is shared): try a few.
	var pc net.PacketConn
	var ln net.Listener
	for try := 0; ln == nil; try++ {
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		if ln, err = net.Listen("tcp", pc.LocalAddr().String()); err != nil {
			pc.Close()
			if try == 20 {
				t.Fatalf("no port free on both UDP and TCP: %v", err)
			}
		}
	}
	if err := srv.Start(pc, ln); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return srv, pc.LocalAddr().String()
}
