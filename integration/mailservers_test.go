package integration

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zonerw/zonerw/integration/peers"
)

// daemonDir is a directory the mail servers' unprivileged users can
// traverse (t.TempDir's parents are private to root), removed at the end.
func daemonDir(t *testing.T, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// needRoot fails under CI and skips elsewhere when the test cannot run a
// mail server's master process, which must start as root and drops to
// the package's own users (postfix; dovecot, dovenull).
func needRoot(t *testing.T, what string) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s must start as root, and CI runs as root", what)
	}
	t.Skipf("%s must start as root (it drops to its own users): run the tests as root", what)
}

// portOnBoth is a TCP port free on every one of ips.
func portOnBoth(t *testing.T, ips ...string) int {
	t.Helper()
	for range 20 {
		port := freePort(t, ips[0])
		free := true
		for _, ip := range ips[1:] {
			ln, err := net.Listen("tcp", fmt.Sprintf("%s:%d", ip, port))
			if err != nil {
				free = false
				break
			}
			ln.Close()
		}
		if free {
			return port
		}
	}
	t.Fatal("no port free on all of", ips)
	return 0
}

// waitGreeting polls addr until a connection gets a first line starting
// with prefix: the server is up and speaking.
func waitGreeting(t *testing.T, addr, prefix string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.SetDeadline(time.Now().Add(2 * time.Second))
			line, _ := bufio.NewReader(conn).ReadString('\n')
			conn.Close()
			if strings.HasPrefix(line, prefix) {
				return
			}
			last = line
		} else {
			last = err.Error()
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not greet with %q in 30s (last: %q)", addr, prefix, last)
}

// postfix is a Postfix master in the foreground with a config of its own.
type postfix struct {
	dir string
}

// postfixService is one smtpd listener: its ip:port and extra -o options.
type postfixService struct {
	listen  string
	options []string
}

// startPostfix writes main.cf and master.cf in a directory of their own
// (queue and data inside it), lets `postfix check` create the queue, and
// runs Postfix's master in the foreground (-d) until the test ends. Peer
// names are not looked up and DNS is off, so nothing leaves loopback.
func startPostfix(t *testing.T, certFile, keyFile string, services ...postfixService) *postfix {
	t.Helper()
	needRoot(t, "Postfix")
	postconf := needTool(t, "postconf", "postfix")
	postfixBin := needTool(t, "postfix", "postfix")
	daemons, err := exec.Command(postconf, "-d", "-h", "daemon_directory").Output()
	if err != nil {
		t.Fatalf("postconf -d -h daemon_directory: %v", err)
	}
	p := &postfix{dir: daemonDir(t, "zonerw-postfix-")}
	for _, sub := range []string{"queue", "data"} {
		if err := os.Mkdir(filepath.Join(p.dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command("chown", "postfix", filepath.Join(p.dir, "data")).CombinedOutput(); err != nil {
		t.Fatalf("chown postfix: %v\n%s", err, out)
	}
	writeFile(t, filepath.Join(p.dir, "main.cf"), fmt.Sprintf(`compatibility_level = 3.6
queue_directory = %[1]s/queue
data_directory = %[1]s/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = loopback-only
inet_protocols = ipv4
myhostname = mx.example.com
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
maillog_file = /dev/stdout
smtpd_tls_cert_file = %[2]s
smtpd_tls_key_file = %[3]s
smtpd_tls_security_level = may
`, p.dir, certFile, keyFile))
	var master strings.Builder
	for _, s := range services {
		fmt.Fprintf(&master, "%s inet n - n - - smtpd", s.listen)
		for _, o := range s.options {
			fmt.Fprintf(&master, " -o %s", o)
		}
		master.WriteString("\n")
	}
	master.WriteString("proxymap unix - - n - - proxymap\nanvil unix - - n - 1 anvil\ntlsmgr unix - - n 1000? 1 tlsmgr\npostlog unix-dgram n - n - 1 postlogd\n")
	writeFile(t, filepath.Join(p.dir, "master.cf"), master.String())
	if out, err := exec.Command(postfixBin, "-c", p.dir, "check").CombinedOutput(); err != nil {
		t.Fatalf("postfix check: %v\n%s", err, out)
	}
	peers.Start(t, filepath.Join(strings.TrimSpace(string(daemons)), "master"), []string{"-c", p.dir, "-d"}, p.dir)
	for _, s := range services {
		waitGreeting(t, s.listen, "220 ")
	}
	return p
}

// log is what Postfix has logged so far.
func (p *postfix) log(t *testing.T) string { return readFile(t, filepath.Join(p.dir, "output.log")) }

// dovecot is a Dovecot in the foreground with a config of its own.
type dovecot struct {
	dir string
}

// startDovecot runs Dovecot for IMAP on port of each of ips, with
// certFile/keyFile, and certs[ip] for connections to that address (its
// "local" blocks). Its log goes to the test's log on failure.
func startDovecot(t *testing.T, port int, ips []string, certFile, keyFile string, certs map[string][2]string) *dovecot {
	t.Helper()
	needRoot(t, "Dovecot")
	bin := needTool(t, "dovecot", "dovecot-imapd")
	d := &dovecot{dir: daemonDir(t, "zonerw-dovecot-")}
	for _, sub := range []string{"run", "state"} {
		if err := os.Mkdir(filepath.Join(d.dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var local strings.Builder
	for ip, c := range certs {
		fmt.Fprintf(&local, "local %s {\n  ssl_cert = <%s\n  ssl_key = <%s\n}\n", ip, c[0], c[1])
	}
	writeFile(t, filepath.Join(d.dir, "dovecot.conf"), fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = /dev/stderr
protocols = imap
listen = %[2]s
ssl = yes
ssl_cert = <%[3]s
ssl_key = <%[4]s
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = static
  args = nopassword=y
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=%[1]s/home
}
service imap-login {
  inet_listener imap {
    port = %[5]d
  }
  inet_listener imaps {
    port = 0
  }
}
%[6]s`, d.dir, strings.Join(ips, ", "), certFile, keyFile, port, local.String()))
	peers.Start(t, bin, []string{"-F", "-c", filepath.Join(d.dir, "dovecot.conf")}, d.dir)
	for _, ip := range ips {
		waitGreeting(t, fmt.Sprintf("%s:%d", ip, port), "* OK ")
	}
	return d
}

// log is what Dovecot has logged so far.
func (d *dovecot) log(t *testing.T) string { return readFile(t, filepath.Join(d.dir, "output.log")) }
