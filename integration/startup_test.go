package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// bigZoneRecords is the size of the zone the start-up test serves: big
// enough that compiling its template takes a visible while.
const bigZoneRecords = 200_000

// writeBigConfig writes a daemon config serving one zone of n records
// (its www a marker record) and returns the config's path.
func writeBigConfig(t *testing.T, dnsPort, n int) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("$ORIGIN example.com.\n$TTL 3600\n@ IN SOA ns1 hostmaster ( 1 ; @serial number@\n 3600 900 1209600 300 )\n" +
		"  IN NS ns1\nns1 IN A 127.0.0.53\nwww 300 IN A 127.0.0.11 ; @IP@\n")
	for i := range n - 4 {
		fmt.Fprintf(&b, "h%d IN A 10.%d.%d.%d\n", i, (i>>16)&255, (i>>8)&255, i&255)
	}
	writeFile(t, filepath.Join(dir, "big.tmpl"), b.String())
	cfg := filepath.Join(dir, "zonerw.yaml")
	writeFile(t, cfg, fmt.Sprintf(`state_dir: state
server:
  listen: ["127.0.0.1:%d"]
services:
  - name: web
    every: "@every 1h"
    check: {type: tcp, port: 9, timeout: 1s}
    targets:
      - {name: main, ipv4: 127.0.0.11}
      - {name: backup, ipv4: 127.0.0.12}
zones:
  - {name: example.com, template: big.tmpl}
`, dnsPort))
	return cfg
}

// querier asks the server for a name of the zone over and over until
// stopped, and tallies the rcodes it got (no answer at all is "none").
type querier struct {
	mu     sync.Mutex
	rcodes map[string]int
	first  string // the first rcode that was not "none"
	stop   chan struct{}
	done   chan struct{}
}

func startQuerier(server, name string) *querier {
	q := &querier{rcodes: map[string]int{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(q.done)
		c := &dns.Client{Timeout: 200 * time.Millisecond}
		deadline := time.Now().Add(2 * time.Minute) // bounded whatever happens
		for time.Now().Before(deadline) {
			select {
			case <-q.stop:
				return
			default:
			}
			m := new(dns.Msg)
			m.SetQuestion(name, dns.TypeA)
			r, _, err := c.Exchange(m, server)
			rc := "none"
			if err == nil {
				rc = dns.RcodeToString[r.Rcode]
			} else {
				time.Sleep(5 * time.Millisecond) // nothing listens yet: do not spin
			}
			q.mu.Lock()
			q.rcodes[rc]++
			if rc != "none" && q.first == "" {
				q.first = rc
			}
			q.mu.Unlock()
		}
	}()
	return q
}

func (q *querier) count(rc string) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.rcodes[rc]
}

func (q *querier) finish() map[string]int {
	close(q.stop)
	<-q.done
	return q.rcodes
}

// TestServeAnswersFromTheFirstQuery: `zonerw serve` restarted with a big
// zone stored answers it from the stored version from the first answer
// on, while it compiles the template again; started with nothing stored
// it answers SERVFAIL until the zone is loaded. A configured zone is
// never answered REFUSED.
func TestServeAnswersFromTheFirstQuery(t *testing.T) {
	port := freePort(t, "127.0.0.1")
	cfg := writeBigConfig(t, port, bigZoneRecords)
	server := fmt.Sprintf("127.0.0.1:%d", port)
	name := fmt.Sprintf("h%d.example.com.", bigZoneRecords-10)

	// First start: nothing stored.
	q := startQuerier(server, name)
	d := startServe(t, cfg)
	waitFor(t, 2*time.Minute, "the first start to serve the zone", func() bool { return q.count("NOERROR") > 0 })
	d.stop(t)
	got := q.finish()
	if got["REFUSED"] > 0 || (q.first != "NOERROR" && q.first != "SERVFAIL") {
		t.Fatalf("first start: rcodes %v (first %s), want SERVFAIL until loaded, then NOERROR, never REFUSED", got, q.first)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), "state", "journal", "example.com.snap")); err != nil {
		t.Fatalf("no stored version after the first run: %v", err)
	}

	// Restart: the stored version answers from the first answer.
	q = startQuerier(server, name)
	d = startServe(t, cfg)
	waitFor(t, 2*time.Minute, "the restart to compile the template", func() bool {
		return strings.Contains(d.log(), "zone published") && strings.Count(d.log(), "serving the stored version") == 1 && q.count("NOERROR") > 50
	})
	d.stop(t)
	got = q.finish()
	if q.first != "NOERROR" || got["REFUSED"] > 0 || got["SERVFAIL"] > 0 {
		t.Fatalf("restart: rcodes %v (first %s), want NOERROR from the first answer on", got, q.first)
	}
	t.Logf("restart: %v", got)
}

// waitFor polls cond every 10 ms until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
