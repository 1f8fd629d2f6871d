package peers

import (
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// RequireBinary returns the path of the daemon or tool name (looked for
// on PATH, then in /usr/sbin and /sbin, which a user's PATH may lack).
// When it is not installed the test fails under CI=true, because .ci/run
// installs it, and is skipped elsewhere with the package that has it.
func RequireBinary(t testing.TB, name, pkg string) string {
	t.Helper()
	if path, err := exec.LookPath(name); err == nil {
		return path
	}
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	msg := name + " not installed: apt-get install " + pkg
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// FreePort finds a port free for both UDP and TCP on ip. The daemon binds
// it a moment later; another process taking it in between fails the test
// loudly rather than silently.
func FreePort(t testing.TB, ip string) netip.AddrPort {
	t.Helper()
	for range 20 {
		ln, err := net.Listen("tcp", ip+":0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().(*net.TCPAddr).AddrPort()
		pc, err := net.ListenPacket("udp", addr.String())
		ln.Close()
		if err == nil {
			pc.Close()
			return addr
		}
	}
	t.Fatalf("no port free for both udp and tcp on %s", ip)
	return netip.AddrPort{}
}
