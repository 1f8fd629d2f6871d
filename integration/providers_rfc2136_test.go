package integration

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/netip"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/integration/peers"
)

const rfc2136Zone = `$TTL 300
@ IN SOA ns1.example.com. hostmaster.example.com. 1 3600 600 86400 60
@ IN NS ns1.example.com.
ns1 IN A 127.0.0.1
www 60 IN A 127.0.0.11
`

// readmeBlock is the text of README.md's first ```lang block.
func readmeBlock(t *testing.T, lang string) string {
	t.Helper()
	_, rest, ok := strings.Cut(readFile(t, "../README.md"), "\n```"+lang+"\n")
	block, _, closed := strings.Cut(rest, "\n```\n")
	if !ok || !closed {
		t.Fatalf("README.md has no ```%s block", lang)
	}
	return block + "\n"
}

// startRFC2136Primary starts BIND or Knot as the primary of example.com
// with the README's stanza, and returns its address and its key file.
func startRFC2136Primary(t *testing.T, kind string) (netip.AddrPort, string) {
	t.Helper()
	secret := make([]byte, 32)
	rand.Read(secret)
	p := peers.Primary{Dir: t.TempDir(), Zone: "example.com", ZoneText: rfc2136Zone,
		Key: peers.Key{Name: "zonerw", Algorithm: "hmac-sha256", Secret: base64.StdEncoding.EncodeToString(secret)}}
	switch kind {
	case "bind":
		// named binds only addresses configured on an interface: lo has 127.0.0.1.
		p.Listen, p.Stanza = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(freePort(t, "127.0.0.1"))), readmeBlock(t, "bind")
		peers.StartBINDPrimary(t, needTool(t, "named", "bind9"), p)
	case "knot":
		p.Listen, p.Stanza = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.4"), uint16(freePort(t, "127.0.0.4"))), readmeBlock(t, "knot")
		peers.StartKnotPrimary(t, needTool(t, "knotd", "knot"), p)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		m := new(dns.Msg)
		m.SetQuestion("example.com.", dns.TypeSOA)
		r, _, err := (&dns.Client{Net: "tcp", Timeout: time.Second}).Exchange(m, p.Listen.String())
		if err == nil && r.Authoritative {
			return p.Listen, filepath.Join(p.Dir, "zonerw.key")
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s on %s did not answer within 30s: %v", kind, p.Listen, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// digA asks server for name's A records with dig.
func digA(t *testing.T, server netip.AddrPort, name string) []string {
	t.Helper()
	out, err := exec.Command(needTool(t, "dig", "dnsutils"), "@"+server.Addr().String(), "-p", strconv.Itoa(int(server.Port())),
		"+short", "+norec", "+time=2", "+tries=2", name, "A").CombinedOutput()
	if err != nil {
		t.Fatalf("dig: %v\n%s", err, out)
	}
	got := strings.Fields(string(out))
	slices.Sort(got)
	return got
}

// rfc2136CronConfig is a cron-mode config publishing web to the primary.
func rfc2136CronConfig(t *testing.T, webPort int, server netip.AddrPort, keyFile string) string {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "zonerw.yaml")
	writeFile(t, cfg, fmt.Sprintf(`state_dir: state
keys:
  - {name: zonerw, file: %s}
services:
  - name: web
    check: {type: http, url: "http://{addr}:%d/", timeout: 2s}
    rise: 1
    fall: 1
    targets:
      - {name: main, ipv4: 127.0.0.11}
      - {name: backup, ipv4: 127.0.0.12}
providers:
  - name: primary
    type: rfc2136
    zone: example.com
    server: "%s"
    key: zonerw
    records:
      - {name: www, type: A, service: web, ttl: 60s}
`, keyFile, webPort, server))
	return cfg
}

// Cron mode against real BIND and Knot primaries configured with the
// README's snippets: through a failover and back the record holds
// exactly the active address at each step (dig), and a wrong key gives
// one clear error.
func TestCronModeRFC2136(t *testing.T) {
	for _, kind := range []string{"bind", "knot"} {
		t.Run(kind, func(t *testing.T) {
			server, keyFile := startRFC2136Primary(t, kind)
			main := startWeb(t, "127.0.0.11", 0)
			startWeb(t, "127.0.0.12", main.port())
			cfg := rfc2136CronConfig(t, main.port(), server, keyFile)

			mustRun(t, cfg)
			if got := digA(t, server, "www.example.com"); !slices.Equal(got, []string{"127.0.0.11"}) {
				t.Fatalf("on main www = %v", got)
			}
			main.stop()
			out := mustRun(t, cfg)
			if got := digA(t, server, "www.example.com"); !slices.Equal(got, []string{"127.0.0.12"}) {
				t.Fatalf("after failover www = %v\n%s", got, out)
			}
			main.start()
			mustRun(t, cfg)
			if got := digA(t, server, "www.example.com"); !slices.Equal(got, []string{"127.0.0.11"}) {
				t.Fatalf("after failback www = %v", got)
			}
			_, status, _ := runZonerw(t, "status", "-c", cfg)
			if !strings.Contains(status, "provider primary: zone example.com. at "+server.String()) ||
				!strings.Contains(status, "www.example.com. A  web      127.0.0.11") {
				t.Errorf("status:\n%s", status)
			}

			// Another key of the same name: refused, said once.
			wrong := filepath.Join(t.TempDir(), "wrong.key")
			other := make([]byte, 32)
			rand.Read(other)
			writeFile(t, wrong, peers.BINDKeyText(peers.Key{Name: "zonerw", Algorithm: "hmac-sha256", Secret: base64.StdEncoding.EncodeToString(other)}))
			bad := rfc2136CronConfig(t, main.port(), server, wrong)
			code, stdout, stderr := runZonerw(t, "-q", "-c", bad)
			want := `primary: the TSIG key "zonerw" (file ` + wrong + `) was refused by ` + server.String() +
				` (BADSIG): the server's key of this name has another secret or algorithm`
			if code != 1 || strings.Count(stderr, want) != 1 || strings.Count(stderr, "\n") != 1 || strings.Contains(stdout+stderr, base64.StdEncoding.EncodeToString(other)) {
				t.Fatalf("wrong key: exit %d\nstdout: %s\nstderr: %s\nwant one line: %s", code, stdout, stderr, want)
			}
			if got := digA(t, server, "www.example.com"); !slices.Equal(got, []string{"127.0.0.11"}) {
				t.Errorf("after the refused key www = %v", got)
			}
		})
	}
}
