package integration

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const cronTemplate = `$ORIGIN example.com.
$TTL 3600
@       IN SOA ns1.example.com. hostmaster.example.com. (
                2012080201 ; @serial number@
                3600 900 1209600 300 )
        IN NS   ns1.example.com.
ns1     IN A    127.0.0.53
@       300 IN A @IP@
www     300 IN A 127.0.0.11 ; @IP@
`

// cronSetup writes a config for a main and a backup web server and returns
// the config path and the output zone path.
func cronSetup(t *testing.T, port int) (cfg, out string) {
	t.Helper()
	dir := t.TempDir()
	cfg = filepath.Join(dir, "zonerw.yaml")
	out = filepath.Join(dir, "out", "example.com.zone")
	yaml := fmt.Sprintf(`state_dir: state
services:
  - name: web
    check: {type: http, url: "http://{addr}:%d/", host: www.example.com, timeout: 2s}
    rise: 2
    fall: 2
    targets:
      - {name: main, ipv4: 127.0.0.11}
      - {name: backup, ipv4: 127.0.0.12}
zones:
  - {name: example.com, template: example.com.tmpl, output: out/example.com.zone}
`, port)
	writeFile(t, cfg, yaml)
	writeFile(t, filepath.Join(dir, "example.com.tmpl"), cronTemplate)
	return cfg, out
}

func writeFile(t testing.TB, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// runZonerw runs the binary and returns its exit code, stdout and stderr.
func runZonerw(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(zonerwBin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run zonerw: %v", err)
	}
	return code, stdout.String(), stderr.String()
}

// mustRun runs zonerw -q and fails the test unless it exits 0.
func mustRun(t *testing.T, cfg string) string {
	t.Helper()
	code, stdout, stderr := runZonerw(t, "-q", "-c", cfg)
	if code != 0 {
		t.Fatalf("zonerw exited %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	return stdout
}

var serialLine = regexp.MustCompile(`(?m)^\s*(\d+) ; @serial number@`)

// zoneFacts reads the output zone: its serial and the www address.
func zoneFacts(t *testing.T, path string) (serial uint32, www string, raw []byte) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := serialLine.FindSubmatch(raw)
	if m == nil {
		t.Fatalf("no serial line in %s:\n%s", path, raw)
	}
	n, _ := strconv.ParseUint(string(m[1]), 10, 32)
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(line)
		if len(f) >= 5 && f[0] == "www" && f[3] == "A" {
			www = f[4]
		}
	}
	return uint32(n), www, raw
}

// serialGreater is RFC 1982 a > b.
func serialGreater(a, b uint32) bool { return a != b && int32(a-b) > 0 }

func TestCronModeFailoverAndFailback(t *testing.T) {
	checkzone := needTool(t, "named-checkzone", "bind9-utils")
	nsdCheck := needTool(t, "nsd-checkzone", "nsd")

	main := startWeb(t, "127.0.0.11", 0)
	startWeb(t, "127.0.0.12", main.port())
	cfg, out := cronSetup(t, main.port())

	// First run: main is up, the zone is written pointing at it.
	stdout := mustRun(t, cfg)
	s1, www, before := zoneFacts(t, out)
	if www != "127.0.0.11" || !strings.Contains(stdout, "written") {
		t.Fatalf("first run: www=%s stdout=%q", www, stdout)
	}
	stat1, _ := os.Stat(out)

	// Nothing changed: -q prints nothing, the file and serial stay.
	if stdout := mustRun(t, cfg); stdout != "" {
		t.Fatalf("quiet run with no change printed %q", stdout)
	}
	s, _, after := zoneFacts(t, out)
	stat2, _ := os.Stat(out)
	if s != s1 || !bytes.Equal(before, after) || !stat2.ModTime().Equal(stat1.ModTime()) {
		t.Fatalf("a run with no change rewrote the zone (serial %d -> %d)", s1, s)
	}

	// The main server dies. fall is 2: the first failed run changes nothing.
	main.stop()
	mustRun(t, cfg)
	if s, www, _ := zoneFacts(t, out); www != "127.0.0.11" || s != s1 {
		t.Fatalf("after one failure: www=%s serial=%d, want main and %d", www, s, s1)
	}
	start := time.Now()
	stdout = mustRun(t, cfg)
	s2, www, _ := zoneFacts(t, out)
	if www != "127.0.0.12" || !serialGreater(s2, s1) {
		t.Fatalf("after fall failures: www=%s serial=%d (was %d)", www, s2, s1)
	}
	if !strings.Contains(stdout, "switch web: main -> backup") {
		t.Fatalf("the switch was not reported: %q", stdout)
	}
	t.Logf("failover run took %s", time.Since(start))
	for _, c := range [][]string{{checkzone, "example.com", out}, {nsdCheck, "example.com", out}} {
		if b, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s rejects the zone: %v\n%s", filepath.Base(c[0]), err, b)
		}
	}

	// Without a daemon, explain works from the state file and counts runs.
	code, expl, errOut := runZonerw(t, "explain", "-c", cfg, "web")
	if code != 0 || !strings.Contains(expl, "no daemon running") ||
		!strings.Contains(expl, "moved because: main down after 2 consecutive failures") ||
		!strings.Contains(expl, "-> main, after at least 2 probe round(s), if main passes 2 more probe(s) in a row (rise 2)") {
		t.Fatalf("explain after the failover: exit %d\n%s%s", code, expl, errOut)
	}

	// The main server returns. rise is 2: it is handed back on the second run.
	main.start()
	mustRun(t, cfg)
	if _, www, _ := zoneFacts(t, out); www != "127.0.0.12" {
		t.Fatalf("failback after one success: www=%s", www)
	}
	if code, expl, _ := runZonerw(t, "explain", "-c", cfg, "web"); code != 0 ||
		!strings.Contains(expl, "-> main, after at least 1 probe round(s)") || !strings.Contains(expl, "main    1     DOWN   1/2 successes  ++xx+") {
		t.Fatalf("explain after one success: exit %d\n%s", code, expl)
	}
	mustRun(t, cfg)
	s3, www, _ := zoneFacts(t, out)
	if www != "127.0.0.11" || !serialGreater(s3, s2) {
		t.Fatalf("failback: www=%s serial=%d (was %d)", www, s3, s2)
	}
}

func TestCronModeBadTemplateKeepsTheGoodZone(t *testing.T) {
	main := startWeb(t, "127.0.0.11", 0)
	cfg, out := cronSetup(t, main.port())
	mustRun(t, cfg)
	_, _, good := zoneFacts(t, out)

	tmpl := filepath.Join(filepath.Dir(cfg), "example.com.tmpl")
	writeFile(t, tmpl, cronTemplate+"bad 300 IN A @IP:nosuch@\n")
	code, _, stderr := runZonerw(t, "-q", "-c", cfg)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr: %s", code, stderr)
	}
	if !strings.Contains(stderr, tmpl+":10:") {
		t.Fatalf("the error does not name the template line: %q", stderr)
	}
	_, _, now := zoneFacts(t, out)
	if !bytes.Equal(good, now) {
		t.Fatal("a bad template changed the served zone")
	}
}

func TestForceBumpsTheSerial(t *testing.T) {
	main := startWeb(t, "127.0.0.11", 0)
	cfg, out := cronSetup(t, main.port())
	mustRun(t, cfg)
	s1, _, _ := zoneFacts(t, out)
	code, stdout, stderr := runZonerw(t, "--force", "-c", cfg)
	s2, _, _ := zoneFacts(t, out)
	if code != 0 || !serialGreater(s2, s1) {
		t.Fatalf("--force: exit %d, serial %d -> %d\n%s%s", code, s1, s2, stdout, stderr)
	}
}

// TestCronModeBrokenZoneDoesNotStopTheOthers: a template error in one zone
// is reported (exit 1) while the services are still probed and the other
// zones still follow them.
func TestCronModeBrokenZoneDoesNotStopTheOthers(t *testing.T) {
	main := startWeb(t, "127.0.0.11", 0)
	startWeb(t, "127.0.0.12", main.port())
	cfg, out := cronSetup(t, main.port())
	dir := filepath.Dir(cfg)
	yaml, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, cfg, string(yaml)+"  - {name: example.net, template: example.net.tmpl, output: out/example.net.zone}\n")
	broken := filepath.Join(dir, "example.net.tmpl")
	writeFile(t, broken, strings.ReplaceAll(cronTemplate, "example.com.", "example.net.")+"bad 300 IN A @IP:nosuch@\n")

	main.stop()
	for run := 1; run <= 2; run++ { // fall 2
		code, _, stderr := runZonerw(t, "-q", "-c", cfg)
		if code != 1 || !strings.Contains(stderr, broken+":10:") {
			t.Fatalf("run %d: exit %d, stderr %q; want 1 and the broken template's line", run, code, stderr)
		}
	}
	if _, www, _ := zoneFacts(t, out); www != "127.0.0.12" {
		t.Fatalf("example.com's www is %s: the broken example.net stopped its failover", www)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "example.net.zone")); !os.IsNotExist(err) {
		t.Fatalf("the broken zone was written (stat: %v)", err)
	}
}

// TestCronModeChecksEveryAddress: with check.addresses all, a main server
// whose IPv6 address does not answer is down, and the names move to the
// backup; the default checks the IPv4 address only and stays.
func TestCronModeChecksEveryAddress(t *testing.T) {
	main := startWeb(t, "127.0.0.11", 0)
	startWeb(t, "127.0.0.12", main.port())
	for _, tc := range []struct {
		addresses, want string
	}{
		{"", "127.0.0.11"},
		{"addresses: all, ", "127.0.0.12"},
	} {
		cfg, out := cronSetup(t, main.port())
		text := readFile(t, cfg)
		text = strings.Replace(text, "check: {", "check: {"+tc.addresses, 1)
		text = strings.Replace(text, "{name: main, ipv4: 127.0.0.11}", `{name: main, ipv4: 127.0.0.11, ipv6: "::1"}`, 1)
		writeFile(t, cfg, text)
		mustRun(t, cfg)
		mustRun(t, cfg) // fall 2
		if _, www, _ := zoneFacts(t, out); www != tc.want {
			t.Errorf("check %q: www is %s, want %s", tc.addresses, www, tc.want)
		}
		if tc.want == "127.0.0.12" {
			_, expl, _ := runZonerw(t, "explain", "-c", cfg, "web")
			if !regexp.MustCompile(`::1: connect: [^;]+; 127\.0\.0\.11: HTTP 200`).MatchString(expl) {
				t.Errorf("explain does not name the failing address:\n%s", expl)
			}
		}
	}
}

// TestCronModeReloadOwedAfterTheCommandIsRemoved: a reload command that
// failed is owed to the next run; once the operator takes the command
// out of the config, the next run owes nothing and goes on (it panicked
// on the empty command, every run, so the names stopped following the
// probes).
func TestCronModeReloadOwedAfterTheCommandIsRemoved(t *testing.T) {
	main := startWeb(t, "127.0.0.11", 0)
	startWeb(t, "127.0.0.12", main.port())
	cfg, out := cronSetup(t, main.port())
	plain := readFile(t, cfg)
	writeFile(t, cfg, strings.Replace(plain, "output: out/example.com.zone}", `output: out/example.com.zone, reload: {command: ["false"]}}`, 1))
	if code, stdout, stderr := runZonerw(t, "-q", "-c", cfg); code != 1 || !strings.Contains(stderr, `reload command "false" failed`) {
		t.Fatalf("a run whose reload fails: exit %d, want 1 naming it\n%s%s", code, stdout, stderr)
	}
	if st := readFile(t, filepath.Join(filepath.Dir(cfg), "state", "state.json")); !strings.Contains(st, `"reload_pending": true`) {
		t.Fatalf("the failed reload is not owed in state.json:\n%s", st)
	}
	writeFile(t, cfg, plain)
	mustRun(t, cfg)
	if st := readFile(t, filepath.Join(filepath.Dir(cfg), "state", "state.json")); strings.Contains(st, "reload_pending") {
		t.Errorf("a reload is still owed with no command:\n%s", st)
	}
	// And the zone still follows the probes: main down, two runs (fall 2).
	main.stop()
	mustRun(t, cfg)
	mustRun(t, cfg)
	if _, www, _ := zoneFacts(t, out); www != "127.0.0.12" {
		t.Errorf("www is %s after main went down, want the backup 127.0.0.12", www)
	}
}

// TestCronModeWritesThroughALinkKeepingOwnerAndMode: an output file that
// is a symbolic link (into a nameserver's zone directory, say) is
// rewritten where the link leads, and keeps its mode and owner, as the
// shell script's redirection kept them.
func TestCronModeWritesThroughALinkKeepingOwnerAndMode(t *testing.T) {
	main := startWeb(t, "127.0.0.11", 0)
	cfg, out := cronSetup(t, main.port())
	mustRun(t, cfg)
	s1, _, _ := zoneFacts(t, out)
	real := filepath.Join(filepath.Dir(cfg), "nsd-zones", "example.com.zone")
	if err := os.MkdirAll(filepath.Dir(real), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(out, real); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, out); err != nil {
		t.Fatal(err)
	}
	os.Chmod(real, 0o640)
	asRoot := os.Geteuid() == 0
	if asRoot {
		os.Chown(real, 65534, 65534)
	}
	if code, stdout, stderr := runZonerw(t, "--force", "-c", cfg); code != 0 {
		t.Fatalf("--force: exit %d\n%s%s", code, stdout, stderr)
	}
	if fi, err := os.Lstat(out); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the output link was replaced by a file")
	}
	if s2, _, _ := zoneFacts(t, real); !serialGreater(s2, s1) {
		t.Fatalf("the file behind the link holds serial %d, want one above %d", s2, s1)
	}
	fi, _ := os.Stat(real)
	st := fi.Sys().(*syscall.Stat_t)
	if fi.Mode().Perm() != 0o640 || asRoot && (st.Uid != 65534 || st.Gid != 65534) {
		t.Errorf("after the rewrite: mode %v owner %d:%d, want 0640 65534:65534", fi.Mode().Perm(), st.Uid, st.Gid)
	}
}

// TestCronModeRewritesAHandEditedFile: an output file edited by hand
// without a new serial (or by the script zonerw replaced, still in the
// crontab) is noticed: zonerw check says so, and the next run writes
// what the template gives. Both said the file was up to date.
func TestCronModeRewritesAHandEditedFile(t *testing.T) {
	main := startWeb(t, "127.0.0.11", 0)
	cfg, out := cronSetup(t, main.port())
	mustRun(t, cfg)
	s1, _, good := zoneFacts(t, out)
	edited := strings.Replace(string(good), "127.0.0.11 ; @IP@", "192.0.2.99 ; @IP@", 1)
	if edited == string(good) {
		t.Fatalf("the test's edit does not apply to:\n%s", good)
	}
	writeFile(t, out, edited)
	code, stdout, stderr := runZonerw(t, "check", "-c", cfg)
	if code != 0 || !strings.Contains(stdout, "holds serial "+strconv.Itoa(int(s1))+" but not what the template gives") {
		t.Errorf("zonerw check after a hand edit: exit %d\n%s%s", code, stdout, stderr)
	}
	if stdout := mustRun(t, cfg); !strings.Contains(stdout, "written to "+out) {
		t.Errorf("the run after a hand edit printed %q, want the file written", stdout)
	}
	if s, www, now := zoneFacts(t, out); s != s1 || www != "127.0.0.11" || !bytes.Equal(now, good) {
		t.Errorf("after the run: serial %d www %s, want %d and 127.0.0.11, the template's rendering", s, www, s1)
	}
	// And at rest again: a run writes nothing.
	if stdout := mustRun(t, cfg); stdout != "" {
		t.Errorf("a run with the file as written printed %q", stdout)
	}
}

// TestCronModeIncludeLoadsWhereverTheFileIs: with allow_include, the
// output file names an included file by its path from the template's
// directory, so NSD loads it from anywhere (the relative name was copied
// as written, and NSD, in the output's directory, could not open it).
func TestCronModeIncludeLoadsWhereverTheFileIs(t *testing.T) {
	nsdCheck := needTool(t, "nsd-checkzone", "nsd")
	main := startWeb(t, "127.0.0.11", 0)
	cfg, out := cronSetup(t, main.port())
	dir := filepath.Dir(cfg)
	writeFile(t, cfg, strings.Replace(readFile(t, cfg), "output: out/example.com.zone}", "output: out/example.com.zone, allow_include: true}", 1))
	writeFile(t, filepath.Join(dir, "common.zone"), "mail 300 IN A 127.0.0.25\n")
	writeFile(t, filepath.Join(dir, "example.com.tmpl"), cronTemplate+"$INCLUDE common.zone\n")
	mustRun(t, cfg)
	cmd := exec.Command(nsdCheck, "example.com", out)
	cmd.Dir = t.TempDir() // not where the template is
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nsd-checkzone of the output from another directory: %v\n%s\n%s", err, b, readFile(t, out))
	}
}

// TestCronModePinOutlivesADamagedStateFile: a pin is in the audit log as
// well as in state.json, and a state file rebuilt after damage (or loss)
// gets it back; the names went back to main, under maintenance.
func TestCronModePinOutlivesADamagedStateFile(t *testing.T) {
	main := startWeb(t, "127.0.0.11", 0)
	startWeb(t, "127.0.0.12", main.port())
	cfg, out := cronSetup(t, main.port())
	mustRun(t, cfg)
	if code, stdout, stderr := runZonerw(t, "pin", "-c", cfg, "--for", "1h", "--reason", "disk swap", "web", "backup"); code != 0 {
		t.Fatalf("zonerw pin: exit %d\n%s%s", code, stdout, stderr)
	}
	mustRun(t, cfg)
	if _, www, _ := zoneFacts(t, out); www != "127.0.0.12" {
		t.Fatalf("pinned to backup, www is %s", www)
	}
	state := filepath.Join(filepath.Dir(cfg), "state", "state.json")
	for _, damage := range []string{"garbled", "deleted"} {
		if damage == "garbled" {
			writeFile(t, state, "{GARBAGE")
		} else {
			os.Remove(state)
		}
		code, stdout, stderr := runZonerw(t, "-q", "-c", cfg)
		if code != 0 || !strings.Contains(stderr, "pin restored from audit.log") {
			t.Errorf("%s state file: exit %d, want 0 saying the pin was restored\n%s%s", damage, code, stdout, stderr)
		}
		if _, www, _ := zoneFacts(t, out); www != "127.0.0.12" {
			t.Errorf("%s state file: www is %s, want the pinned backup 127.0.0.12", damage, www)
		}
		if _, status, _ := runZonerw(t, "status", "-c", cfg); !strings.Contains(status, "pinned to backup until") || !strings.Contains(status, "disk swap") {
			t.Errorf("%s state file: status does not show the pin:\n%s", damage, status)
		}
	}
}
