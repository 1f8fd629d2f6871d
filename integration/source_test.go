package integration

import (
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
)

// peerLog is a TCP listener that keeps the address of every client, and
// answers HTTP with status (or just accepts, for a connect check).
type peerLog struct {
	ln    net.Listener
	mu    sync.Mutex
	peers map[string]bool
}

func listenPeers(t *testing.T, addr string, status int) *peerLog {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p := &peerLog{ln: ln, peers: map[string]bool{}}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }),
		ConnState: func(c net.Conn, s http.ConnState) {
			if s == http.StateNew {
				host, _, _ := net.SplitHostPort(c.RemoteAddr().String())
				p.mu.Lock()
				p.peers[host] = true
				p.mu.Unlock()
			}
		},
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close(); <-done })
	return p
}

func (p *peerLog) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// from lists the client addresses seen, sorted.
func (p *peerLog) from() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for a := range p.peers {
		out = append(out, a)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// Probes and witness checks leave from the address they are given: a
// check's own source, else probe_source; each server sees only that
// address. zonerw check accepts these (all of 127/8 is this host's) and
// refuses an address that is not.
func TestCronModeProbesLeaveFromTheirSource(t *testing.T) {
	mainWeb := listenPeers(t, "127.0.0.11:0", http.StatusServiceUnavailable)
	backupWeb := listenPeers(t, fmt.Sprintf("127.0.0.12:%d", mainWeb.port()), http.StatusOK)
	api := listenPeers(t, "127.0.0.11:0", http.StatusOK)
	gateway := listenPeers(t, "127.0.0.13:0", http.StatusOK)
	vpn := listenPeers(t, "127.0.0.14:0", http.StatusOK)
	top := fmt.Sprintf(`probe_source: 127.0.0.53
witnesses:
  - {name: gateway, address: "%s"}
  - {name: vpn, address: "%s", source: 127.0.0.55}`, gateway.ln.Addr(), vpn.ln.Addr())
	cfg, _ := checksSetup(t, top, fmt.Sprintf(`
  - name: web
    check: {type: http, url: "http://{addr}:%d/", source: 127.0.0.54, timeout: 2s}
    targets: [{name: main, ipv4: 127.0.0.11}, {name: backup, ipv4: 127.0.0.12}]
  - name: api
    check: {type: tcp, port: %d, timeout: 2s}
    targets: [{name: main, ipv4: 127.0.0.11}]
`, mainWeb.port(), api.port()), "web", "api")

	code, stdout, stderr := runZonerw(t, "check", "-c", cfg)
	if code != 0 || !strings.Contains(stdout, "(rise 2, fall 3, http check from 127.0.0.54)") ||
		!strings.Contains(stdout, "(rise 2, fall 3, tcp check from 127.0.0.53)") {
		t.Fatalf("zonerw check: exit %d\n%s%s", code, stdout, stderr)
	}
	// main answers 503, so the witnesses are checked too.
	mustRun(t, cfg)
	for _, tc := range []struct {
		what string
		p    *peerLog
		want string
	}{
		{"main web server", mainWeb, "127.0.0.54"},
		{"backup web server", backupWeb, "127.0.0.54"},
		{"api port", api, "127.0.0.53"},
		{"gateway witness", gateway, "127.0.0.53"},
		{"vpn witness", vpn, "127.0.0.55"},
	} {
		if got := tc.p.from(); got != tc.want {
			t.Errorf("%s was reached from %q, want %q", tc.what, got, tc.want)
		}
	}

	writeFile(t, cfg, strings.Replace(readFile(t, cfg), "source: 127.0.0.55", "source: 192.0.2.55", 1))
	code, _, stderr = runZonerw(t, "check", "-c", cfg)
	if want := "witnesses[1].source: 192.0.2.55 is not an address of this host, so no probe could leave from it"; code == 0 || !strings.Contains(stderr, want) {
		t.Errorf("zonerw check with a foreign source: exit %d, want %q in\n%s", code, want, stderr)
	}
}
