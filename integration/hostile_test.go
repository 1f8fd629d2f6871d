package integration

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/integration/peers"
)

// The nameserver under hostile traffic (docs/reliability.md). Every
// test here stays on loopback: the attackers are other 127.0.0.0/8
// addresses, every flood is bounded in count and time, and every socket
// is closed when the test ends.

// hostileConfig writes a daemon config serving example.com (from
// cronTemplate) on dnsPort, with /metrics on httpPort; server and zone
// are more keys of those sections, indented 2 and 4. Nothing listens on
// the probed port, so the zone does not change unless the test pins it.
func hostileConfig(t *testing.T, dnsPort, httpPort int, server, zone string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "zonerw.yaml")
	writeFile(t, cfg, fmt.Sprintf(`state_dir: state
server:
  listen: ["127.0.0.1:%d"]
  http: "127.0.0.1:%d"
%sservices:
  - name: web
    every: "@every 1m"
    check: {type: tcp, port: %d, timeout: 500ms}
    targets:
      - {name: main, ipv4: 127.0.0.11}
      - {name: backup, ipv4: 127.0.0.12}
zones:
  - name: example.com
    template: example.com.tmpl
%s`, dnsPort, httpPort, server, freePort(t, "127.0.0.11"), zone))
	writeFile(t, filepath.Join(dir, "example.com.tmpl"), cronTemplate)
	return cfg
}

// metric reads one series (name and labels exactly as /metrics prints
// them) from the daemon's metrics; 0 when it is not there.
func metric(t *testing.T, httpPort int, series string) float64 {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", httpPort))
	if err != nil {
		t.Fatalf("scrape metrics: %v", err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", series, err)
			}
			return f
		}
	}
	return 0
}

// metricReaching polls series until it reads want (a server counts an
// answer just after sending it, so the client may see the answer first)
// or a few seconds pass; it returns the last value read.
func metricReaching(t *testing.T, httpPort int, series string, want float64) float64 {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := metric(t, httpPort, series)
		if n >= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// tcpHold keeps TCP connections open to a server and idle, from a set
// of source addresses, dialing again each one the server closes (at most
// redialsPerSecond in all, and at most maxDials dials in all).
type tcpHold struct {
	dialed, open atomic.Int64
	cancel       context.CancelFunc
	wg           sync.WaitGroup
}

const (
	maxDials         = 200_000
	redialsPerSecond = 1000
)

func holdTCP(t *testing.T, addr string, sources []string, perSource int) *tcpHold {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := &tcpHold{cancel: cancel}
	pace := time.NewTicker(time.Second / redialsPerSecond)
	for _, src := range sources {
		for range perSource {
			h.wg.Go(func() { h.keep(ctx, src, addr, pace.C) })
		}
	}
	t.Cleanup(func() {
		h.stop()
		pace.Stop()
	})
	return h
}

// keep holds one connection, dialing again when the server closes it.
func (h *tcpHold) keep(ctx context.Context, src, addr string, pace <-chan time.Time) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	for first := true; ctx.Err() == nil && h.dialed.Add(1) <= maxDials; first = false {
		if !first {
			select {
			case <-ctx.Done():
				return
			case <-pace:
			}
		}
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			continue
		}
		h.open.Add(1)
		stop := context.AfterFunc(ctx, func() { c.Close() })
		c.Read(make([]byte, 1)) // idle: returns when the server or the test closes it
		stop()
		c.Close()
		h.open.Add(-1)
	}
}

// stop closes every connection and waits for the dialers to end.
func (h *tcpHold) stop() {
	h.cancel()
	h.wg.Wait()
}

// sources are n loopback addresses of the network 127.0.<net>.0/24.
func sources(network, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("127.0.%d.%d", network, i+1)
	}
	return out
}

// tcpQuery asks server over TCP from the loopback address from.
func tcpQuery(from, server, name string, qtype uint16) (*dns.Msg, error) {
	c := &dns.Client{Net: "tcp", Timeout: 5 * time.Second,
		Dialer: &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}}
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	r, _, err := c.Exchange(m, server)
	return r, err
}

// TestIdleTCPConnectionsDoNotBlockTransfers is issue 12's first point:
// 2,000 idle TCP connections, from one address or spread over 100, kept
// open (the server closing some only makes the attacker dial again),
// while an NSD secondary transfers the zone, follows a failover by
// NOTIFY and IXFR, and another client queries over TCP.
func TestIdleTCPConnectionsDoNotBlockTransfers(t *testing.T) {
	needTool(t, "nsd", "nsd")
	tests := []struct {
		name    string
		sources []string
		held    int    // connections the server lets the attacker hold
		counter string // the metric that shows the server defending itself
	}{
		// The defaults: 16 connections per client address; 256 per
		// listener, 32 of them kept for trusted clients.
		{"from one address", sources(1, 1), 16, "zonerw_dns_tcp_connections_client_rejected_total"},
		{"spread over 100 addresses", sources(2, 100), 224, "zonerw_dns_tcp_connections_evicted_total"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dnsPort, httpPort := freePort(t, "127.0.0.1"), freePort(t, "127.0.0.1")
			primary := fmt.Sprintf("127.0.0.1:%d", dnsPort)
			nsd := newNSD(t, primary)
			// NSD answers on nsdIP but connects from 127.0.0.1.
			cfg := hostileConfig(t, dnsPort, httpPort, "", fmt.Sprintf("    allow_transfer: [\"127.0.0.1\"]\n    secondaries: [{address: %q}]\n", nsd.addr))
			d := startServe(t, cfg)
			waitForA(t, primary, "www.example.com", "127.0.0.11", 20*time.Second)

			hold := holdTCP(t, primary, tt.sources, 2000/len(tt.sources))
			pollAlive(t, d, 60*time.Second, "the attacker holding every slot it may", func() bool {
				return hold.dialed.Load() >= 2000 && hold.open.Load() >= int64(tt.held) &&
					metric(t, httpPort, "zonerw_dns_tcp_connections") == float64(tt.held)
			})
			t.Logf("attack under way: %d dials, %d connections held", hold.dialed.Load(), hold.open.Load())

			nsd.start(t)
			took := waitForA(t, nsd.addr, "www.example.com", "127.0.0.11", 30*time.Second)
			t.Logf("nsd transferred the zone %s after it started", took.Round(time.Millisecond))

			if code, out, errOut := runZonerw(t, "pin", "-c", cfg, "web", "backup", "--for", "1h"); code != 0 {
				t.Fatalf("zonerw pin: exit %d\n%s%s", code, out, errOut)
			}
			took = waitForA(t, nsd.addr, "www.example.com", "127.0.0.12", 30*time.Second)
			t.Logf("nsd followed the failover (NOTIFY, IXFR) %s after the pin", took.Round(time.Millisecond))

			r, err := tcpQuery("127.0.3.1", primary, "www.example.com", dns.TypeA)
			if err != nil || r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 {
				t.Fatalf("tcp query from another address during the attack: %v, %v", r, err)
			}
			if n := metric(t, httpPort, tt.counter); n == 0 {
				t.Errorf("%s is 0: the attack never pressed on the limits", tt.counter)
			}
			t.Logf("%s dials in all; %s %.0f", strconv.FormatInt(hold.dialed.Load(), 10), tt.counter, metric(t, httpPort, tt.counter))
			hold.stop()
			d.stop(t)
		})
	}
}

// floodResult counts the answers a flood got back.
type floodResult struct {
	sent, full, slipped, other int
	bytesOut, bytesIn          int // queries sent, answers received
	elapsed                    time.Duration
	badSlip                    string // a slipped answer that carried records
}

// udpFlood sends n copies of q (with fresh IDs) from src to server,
// evenly over d, and counts the answers that come back until a second
// after the last query.
func udpFlood(t *testing.T, src, server string, q *dns.Msg, n int, d time.Duration) floodResult {
	t.Helper()
	laddr := &net.UDPAddr{IP: net.ParseIP(src)}
	raddr, err := net.ResolveUDPAddr("udp", server)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.DialUDP("udp", laddr, raddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadBuffer(4 << 20)
	var res floodResult
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65535)
		for {
			k, err := c.Read(buf)
			if err != nil {
				return // the deadline, a second after the last query
			}
			res.bytesIn += k
			m := new(dns.Msg)
			switch {
			case m.Unpack(buf[:k]) != nil:
				res.other++
			case m.Truncated:
				res.slipped++
				if len(m.Answer)+len(m.Ns) > 0 {
					res.badSlip = m.String()
				}
			case m.Rcode == dns.RcodeSuccess && len(m.Answer) > 0:
				res.full++
			default:
				res.other++
			}
		}
	}()
	start := time.Now()
	for i := range n {
		if wait := time.Until(start.Add(d * time.Duration(i) / time.Duration(n))); wait > 0 {
			time.Sleep(wait) // pacing the flood, not waiting for an outcome
		}
		q.Id = uint16(i)
		b, err := q.Pack()
		if err != nil {
			t.Fatal(err)
		}
		if k, err := c.Write(b); err == nil {
			res.sent++
			res.bytesOut += k
		}
	}
	res.elapsed = time.Since(start)
	c.SetReadDeadline(time.Now().Add(time.Second))
	<-done
	return res
}

// probe asks server n times from src, a query every interval, and
// returns how many got a full answer.
func probe(t *testing.T, src, server string, n int, interval time.Duration) int {
	t.Helper()
	c := &dns.Client{Net: "udp", Timeout: 2 * time.Second, Dialer: &net.Dialer{LocalAddr: &net.UDPAddr{IP: net.ParseIP(src)}}}
	ok := 0
	for range n {
		m := new(dns.Msg)
		m.SetQuestion("www.example.com.", dns.TypeA)
		if r, _, err := c.Exchange(m, server); err == nil && !r.Truncated && len(r.Answer) == 1 {
			ok++
		}
		time.Sleep(interval) // pacing, not waiting for an outcome
	}
	return ok
}

func (r floodResult) String() string {
	secs := r.elapsed.Seconds()
	return fmt.Sprintf("%d queries in %.1fs (%.0f/s): %.0f full answers/s, %.0f slipped/s, %d unanswered; %.2f bytes out per byte in",
		r.sent, secs, float64(r.sent)/secs, float64(r.full)/secs, float64(r.slipped)/secs, r.sent-r.full-r.slipped-r.other,
		float64(r.bytesIn)/float64(max(r.bytesOut, 1)))
}

// TestUDPFloodIsRateLimited: a flood from one source gets about the
// default rate of full answers, the limited ones are slipped (TC=1, no
// records) or dropped, and a client in another prefix is answered all
// along. NSD with Debian's default settings takes the same flood, for
// the figures in docs/reliability.md.
func TestUDPFloodIsRateLimited(t *testing.T) {
	const rate = 200 // the default rate_limit
	dnsPort, httpPort := freePort(t, "127.0.0.1"), freePort(t, "127.0.0.1")
	primary := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	d := startServe(t, hostileConfig(t, dnsPort, httpPort, "", ""))
	waitForA(t, primary, "www.example.com", "127.0.0.11", 20*time.Second)

	www := new(dns.Msg)
	www.SetQuestion("www.example.com.", dns.TypeA)
	probed := make(chan int, 1)
	go func() { probed <- probe(t, "127.0.2.1", primary, 40, 50*time.Millisecond) }()
	res := udpFlood(t, "127.0.1.1", primary, www, 15000, 3*time.Second)
	t.Logf("zonerw, A flood: %v", res)
	if got := <-probed; got != 40 {
		t.Errorf("a client in another prefix got %d of 40 full answers during the flood", got)
	}
	// Answers are counted until a second after the last query: at most
	// the burst (a second's worth) and the rate over that window.
	if limit := int(float64(rate)*(res.elapsed.Seconds()+2)) + 1; res.full > limit || res.full < rate {
		t.Errorf("%d full answers in %s; want from %d (the burst) to %d (burst and rate)", res.full, res.elapsed, rate, limit)
	}
	if res.slipped == 0 || res.badSlip != "" {
		t.Errorf("%d slipped answers; one with records: %s", res.slipped, res.badSlip)
	}
	if n := metric(t, httpPort, `zonerw_dns_responses_rate_limited_total{action="slipped"}`); int(n) != res.slipped {
		t.Errorf("metrics count %.0f slipped answers, the client got %d", n, res.slipped)
	}
	anyQ := new(dns.Msg)
	anyQ.SetQuestion("example.com.", dns.TypeANY)
	t.Logf("zonerw, ANY flood: %v", udpFlood(t, "127.0.4.1", primary, anyQ, 15000, 3*time.Second))
	d.stop(t)

	nsdFlood(t, www, anyQ)
}

// nsdFlood runs the same floods against NSD serving the same zone with
// Debian's defaults, and logs what it answered.
func nsdFlood(t *testing.T, queries ...*dns.Msg) {
	t.Helper()
	bin := needTool(t, "nsd", "nsd")
	dir := t.TempDir()
	zone := strings.ReplaceAll(cronTemplate, "@IP@", "127.0.0.11")
	writeFile(t, filepath.Join(dir, "example.com.zone"), strings.ReplaceAll(zone, "@serial number@", ""))
	addr := fmt.Sprintf("%s:%d", nsdIP, freePort(t, nsdIP))
	writeFile(t, filepath.Join(dir, "nsd.conf"), peers.NSDPrimaryConfig(dir, netip.MustParseAddrPort(addr), "example.com", "example.com.zone"))
	peers.Start(t, bin, []string{"-d", "-c", filepath.Join(dir, "nsd.conf")}, dir, "nsd.log")
	waitForA(t, addr, "www.example.com", "127.0.0.11", 20*time.Second)
	for i, q := range queries {
		t.Logf("nsd, %s flood: %v", dns.TypeToString[q.Question[0].Qtype], udpFlood(t, fmt.Sprintf("127.0.%d.1", 5+i), addr, q, 15000, 3*time.Second))
	}
}

// TestRefusedTransferFloodLogs: refused transfers and bad TSIG over TCP
// (which the rate limit leaves alone) log a few lines and a summary, not
// a line each; the metrics count every one.
func TestRefusedTransferFloodLogs(t *testing.T) {
	dnsPort, httpPort := freePort(t, "127.0.0.1"), freePort(t, "127.0.0.1")
	primary := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	d := startServe(t, hostileConfig(t, dnsPort, httpPort, "", "    allow_transfer: [\"127.0.0.9\"]\n"))
	waitForA(t, primary, "www.example.com", "127.0.0.11", 20*time.Second)
	before := len(d.log())
	start := time.Now()
	var wg sync.WaitGroup
	var answered atomic.Int64
	for i := range 4 {
		wg.Go(func() {
			answered.Add(int64(pipelineRefused(t, fmt.Sprintf("127.0.1.%d", i+1), primary, 1500, 3*time.Second, i%2 == 1)))
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	logged := len(d.log()) - before
	rate := float64(logged) / elapsed.Seconds()
	t.Logf("%d refused transfers and bad signatures in %s: %d bytes of log (%.0f B/s)", answered.Load(), elapsed.Round(time.Millisecond), logged, rate)
	if answered.Load() != 6000 {
		t.Errorf("%d of 6000 queries answered", answered.Load())
	}
	if rate > 4096 {
		t.Errorf("log grew by %.0f B/s during the flood, want at most 4 KiB/s:\n%s", rate, d.log()[before:])
	}
	if n := metricReaching(t, httpPort, `zonerw_dns_transfers_total{result="refused",type="AXFR",zone="example.com"}`, 3000); n != 3000 {
		t.Errorf("metrics count %.0f refused transfers, want 3000", n)
	}
	if n := metricReaching(t, httpPort, "zonerw_dns_tsig_failures_total", 3000); n != 3000 {
		t.Errorf("metrics count %.0f TSIG failures, want 3000", n)
	}
	d.stop(t) // writes the summaries of the interval in progress
	for _, want := range []string{`msg="log lines suppressed" message="transfer refused"`, `msg="log lines suppressed" message="tsig verification failed"`} {
		if !strings.Contains(d.log()[before:], want) {
			t.Errorf("no summary line %s in the log:\n%s", want, d.log()[before:])
		}
	}
}

// pipelineRefused sends n AXFR queries (signed with an unknown key when
// badKey is set) on one TCP connection from src, evenly over d, and
// returns how many answers came back refused (REFUSED, or NOTAUTH for
// the bad key).
func pipelineRefused(t *testing.T, src, server string, n int, d time.Duration, badKey bool) int {
	d0 := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	nc, err := d0.Dial("tcp", server)
	if err != nil {
		t.Error(err)
		return 0
	}
	defer nc.Close()
	c := &dns.Conn{Conn: nc}
	got := make(chan int, 1)
	go func() {
		k := 0
		for range n {
			nc.SetReadDeadline(time.Now().Add(10 * time.Second))
			r, err := readRaw(c)
			if err != nil {
				break
			}
			if r.Rcode == dns.RcodeRefused || r.Rcode == dns.RcodeNotAuth {
				k++
			}
		}
		got <- k
	}()
	start := time.Now()
	for i := range n {
		if wait := time.Until(start.Add(d * time.Duration(i) / time.Duration(n))); wait > 0 {
			time.Sleep(wait) // pacing the flood, not waiting for an outcome
		}
		q := new(dns.Msg)
		q.SetQuestion("example.com.", dns.TypeAXFR)
		if badKey {
			q.SetTsig("nosuchkey.", dns.HmacSHA256, 300, time.Now().Unix())
		}
		b, err := q.Pack() // a TSIG record keeps its empty MAC: BADKEY for an unknown key
		if err != nil {
			t.Error(err)
			return 0
		}
		if _, err := c.Write(b); err != nil {
			break
		}
	}
	return <-got
}

// readRaw reads one message from c without checking a signature.
func readRaw(c *dns.Conn) (*dns.Msg, error) {
	b, err := c.ReadMsgHeader(nil)
	if err != nil {
		return nil, err
	}
	m := new(dns.Msg)
	return m, m.Unpack(b)
}
