package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// soaOf is zone's serial at server; 0 when it does not answer.
func soaOf(server, zone string) uint32 {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(zone), dns.TypeSOA)
	r, _, err := (&dns.Client{Timeout: time.Second}).Exchange(m, server)
	if err != nil || len(r.Answer) != 1 {
		return 0
	}
	if soa, ok := r.Answer[0].(*dns.SOA); ok {
		return soa.Serial
	}
	return 0
}

// A reload with one zone's template edited well and another's broken
// applies nothing and says so, naming the broken file and line; with both
// good it applies both and says so.
func TestReloadHalfValidAppliesNothing(t *testing.T) {
	l := newLabWith(t, nextLab(), labOpts{serve: true, second: true})
	l.bin = zonerwBin
	p := l.startServe()
	l.waitServed(p, "main", func(www string, _ uint32) bool { return www == l.mainIP }, nil)
	waitForA(t, l.dnsAddr, "www.example.net", l.mainIP, 10*time.Second)
	com, net := soaOf(l.dnsAddr, "example.com"), soaOf(l.dnsAddr, "example.net")

	comTmpl, netTmpl := filepath.Join(l.dir, "example.com.tmpl"), filepath.Join(l.dir, "example.net.tmpl")
	goodNet := readFile(t, netTmpl)
	writeFile(t, comTmpl, labTemplate+"new 300 IN A 127.0.0.99\n")
	for _, bad := range []struct{ name, line, want string }{
		{"an unknown service", "bad 300 IN A @IP:nosuch@\n", "nosuch"},
		{"a NUL byte", "nul 300 IN TXT \"a\x00b\"\n", "NUL byte"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			writeFile(t, netTmpl, goodNet+bad.line)
			code, out, errOut := runZonerw(t, "reload", "-c", l.cfg)
			at := fmt.Sprintf("%s:%d", netTmpl, lineOf(t, netTmpl, strings.TrimSpace(bad.line)[:3]))
			for _, want := range []string{"nothing of the new config applied, still running on the previous one", at, bad.want} {
				if code != 1 || !strings.Contains(errOut, want) {
					t.Errorf("zonerw reload: exit %d, want 1 saying %q:\n%s%s", code, want, out, errOut)
				}
			}
			if got := lookupA(l.dnsAddr, "new.example.com"); got != "" {
				t.Errorf("the good half was applied: new.example.com is %s", got)
			}
			if c, n := soaOf(l.dnsAddr, "example.com"), soaOf(l.dnsAddr, "example.net"); c != com || n != net {
				t.Errorf("serials moved on a refused reload: %d -> %d, %d -> %d", com, c, net, n)
			}
			if code, out, _ := runZonerw(t, "status", "-c", l.cfg); code != 1 || !strings.Contains(out, "RELOAD REFUSED") || !strings.Contains(out, bad.want) {
				t.Errorf("zonerw status does not show the refused reload (%s) with exit 1: exit %d\n%s", bad.want, code, out)
			}
		})
	}

	writeFile(t, netTmpl, goodNet)
	code, out, errOut := runZonerw(t, "reload", "-c", l.cfg)
	if code != 0 || strings.TrimSpace(out) != "config reloaded" {
		t.Fatalf("zonerw reload: exit %d\n%s%s", code, out, errOut)
	}
	waitForA(t, l.dnsAddr, "new.example.com", "127.0.0.99", 5*time.Second)
	if code, out, _ := runZonerw(t, "status", "-c", l.cfg); code != 0 || strings.Contains(out, "RELOAD REFUSED") {
		t.Errorf("zonerw status still shows a refused reload after one went through: exit %d\n%s", code, out)
	}

	// A config file that does not load at all: zonerw reload still tells
	// the daemon, which refuses it, and zonerw status shows the refusal
	// from the daemon with the file's error.
	good := readFile(t, l.cfg)
	writeFile(t, l.cfg, strings.Replace(good, "timeout: 500ms", "timeout: 1sec", 1))
	const badDuration = "check.timeout: `1sec` is not a duration"
	if code, _, errOut := runZonerw(t, "reload", "-c", l.cfg); code != 1 || !strings.Contains(errOut, badDuration) || !strings.Contains(errOut, "nothing of the new config applied") {
		t.Errorf("zonerw reload of a config that does not load: exit %d, want 1 with the daemon's refusal:\n%s", code, errOut)
	}
	if code, out, errOut := runZonerw(t, "status", "-c", l.cfg); code != 1 || !strings.Contains(out, "RELOAD REFUSED") || !strings.Contains(errOut, badDuration) {
		t.Errorf("zonerw status with a config that does not load: exit %d, want 1, the refusal and the error:\n%s%s", code, out, errOut)
	}
	writeFile(t, l.cfg, good)
	if code, out, errOut := runZonerw(t, "reload", "-c", l.cfg); code != 0 {
		t.Fatalf("zonerw reload: exit %d\n%s%s", code, out, errOut)
	}
	if c, n := soaOf(l.dnsAddr, "example.com"), soaOf(l.dnsAddr, "example.net"); !serialGreater(c, com) || n != net {
		t.Errorf("after the reload: example.com %d (was %d), example.net %d (was %d, unchanged content)", c, com, n, net)
	}
	l.stopServe(p)
	checkPrivate(t, l)
}

// checkPrivate checks the state directory and what it holds are for the
// owner alone.
func checkPrivate(t *testing.T, l *lab) {
	t.Helper()
	want := map[string]os.FileMode{
		l.stateDir(): 0o700, filepath.Join(l.stateDir(), "lock"): 0o600, filepath.Join(l.stateDir(), "state.json"): 0o600,
		l.journalDir(): 0o700, filepath.Join(l.journalDir(), "example.com.snap"): 0o600, filepath.Join(l.journalDir(), "example.com.jnl"): 0o600,
	}
	for path, mode := range want {
		fi, err := os.Stat(path)
		if err != nil {
			t.Error(err)
		} else if fi.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), mode)
		}
	}
}
