package integration

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/store"
)

// The crash-point harness's lab: a zone, a main and a backup web server on
// addresses of its own (so labs run side by side), a zonerw built with
// -tags crashpoints, and a record of every serial seen. See
// crashpoints_test.go for the runs.

var (
	crashBinOnce sync.Once
	crashBinPath string
	crashBinErr  error
)

// crashBinary builds zonerw with the crash points compiled in, once, beside
// the normal test binary (TestMain removes that directory).
func crashBinary(t *testing.T) string {
	t.Helper()
	crashBinOnce.Do(func() {
		crashBinPath = filepath.Join(filepath.Dir(zonerwBin), "zonerw-crashpoints")
		out, err := exec.Command("go", "build", "-tags", "crashpoints", "-o", crashBinPath, "../cmd/zonerw").CombinedOutput()
		if err != nil {
			crashBinErr = fmt.Errorf("go build -tags crashpoints: %v\n%s", err, out)
		}
	})
	if crashBinErr != nil {
		t.Fatal(crashBinErr)
	}
	return crashBinPath
}

// traceLine is one line of a ZONERW_CRASH_TRACE file: the point, its
// count in the process, what it was about.
type traceLine struct {
	point string
	n     int
	what  string
	kill  bool
	off   int64 // where the line starts in the file
}

func (l traceLine) spec() string { return fmt.Sprintf("%s:%d", l.point, l.n) }

// readTrace reads a trace file from byte off on; a missing file is empty.
func readTrace(t *testing.T, path string, off int64) []traceLine {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []traceLine
	pos := min(off, int64(len(data)))
	sc := bufio.NewScanner(bytes.NewReader(data[pos:]))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		l := traceLine{off: pos}
		pos += int64(len(sc.Bytes())) + 1
		if len(f) > 0 && f[0] == "kill" {
			l.kill, f = true, f[1:]
		}
		if len(f) != 3 {
			t.Fatalf("%s: bad trace line %q", path, sc.Text())
		}
		l.point, l.what = f[0], f[2]
		if l.n, err = strconv.Atoi(f[1]); err != nil {
			t.Fatalf("%s: bad trace line %q", path, sc.Text())
		}
		out = append(out, l)
	}
	return out
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// serialLog is every serial seen, by source: each source's serials must
// never go backwards, and a restarted zonerw must publish no serial below
// any serial seen anywhere before.
type serialLog struct {
	t      *testing.T
	mu     sync.Mutex
	last   map[string]uint32
	max    uint32
	haveMx bool
	count  int
}

func newSerialLog(t *testing.T) *serialLog {
	return &serialLog{t: t, last: map[string]uint32{}}
}

// see records serial from source and fails the test if it is below the
// source's previous one.
func (l *serialLog) see(source string, serial uint32) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.count++
	if prev, ok := l.last[source]; ok && serialGreater(prev, serial) {
		l.t.Errorf("%s: serial went backwards: %d after %d", source, serial, prev)
	}
	l.last[source] = serial
	if !l.haveMx || serialGreater(serial, l.max) {
		l.max, l.haveMx = serial, true
	}
}

// atLeastAll fails the test unless serial is at or above every serial
// seen so far, from any source.
func (l *serialLog) atLeastAll(what string, serial uint32) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.haveMx && serialGreater(l.max, serial) {
		l.t.Errorf("%s: serial %d is below %d, seen before (%v)", what, serial, l.max, l.last)
	}
}

// notifySink is a secondary that acknowledges every NOTIFY and records
// its serial, and answers an SOA query with no record (it never
// transfers), so the serials zonerw publishes must come from its own
// durable files.
type notifySink struct {
	addr string
	srv  *dns.Server
	log  *serialLog
}

func startNotifySink(t *testing.T, log *serialLog) *notifySink {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &notifySink{addr: pc.LocalAddr().String(), log: log}
	started := make(chan struct{})
	s.srv = &dns.Server{PacketConn: pc, NotifyStartedFunc: func() { close(started) },
		Handler: dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
			m := new(dns.Msg)
			m.SetReply(r)
			if r.Opcode == dns.OpcodeNotify && len(r.Answer) == 1 {
				if soa, ok := r.Answer[0].(*dns.SOA); ok {
					s.log.see("notify", soa.Serial)
				}
			}
			w.WriteMsg(m)
		})}
	go s.srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { s.srv.Shutdown() })
	return s
}

// labTemplate is the lab's zone; www and the apex follow the web service.
// The hosts make the zone large enough that a change is appended to the
// journal a few times before the store compacts it into a snapshot, so
// both paths are crossed.
const labTemplate = cronTemplate + "$GENERATE 1-8 host$ A 127.0.1.$\n"

// lab is one zone's world for a crash case.
type lab struct {
	t            *testing.T
	dir          string
	cfg          string
	out          string // the output file
	mainIP       string
	backupIP     string
	main, backup *webServer
	dnsAddr      string // "" in cron mode
	seen         *serialLog
	sink         *notifySink
	bin          string // the zonerw to run; "" for the crash-point build
	damagedOK    bool   // damaged copies set aside are expected
}

// binary is the zonerw the lab runs.
func (l *lab) binary() string {
	if l.bin != "" {
		return l.bin
	}
	return crashBinary(l.t)
}

// labOpts varies a lab.
type labOpts struct {
	serve bool // the embedded nameserver and a secondary
	fall  int  // 0: 1
	// second adds the zone example.net, its output in out2/.
	second bool
}

// labIP is host's address in lab n: 127.71.n.host for the first 250
// labs, then 127.72.*, and so on.
func labIP(n, host int) string { return fmt.Sprintf("127.%d.%d.%d", 71+n/250, n%250, host) }

// newLab writes the lab's config. n picks its addresses (labIP: .1 and
// .2); serve adds the embedded nameserver and a secondary.
func newLab(t *testing.T, n int, serve bool) *lab {
	t.Helper()
	return newLabWith(t, n, labOpts{serve: serve})
}

func newLabWith(t *testing.T, n int, o labOpts) *lab {
	t.Helper()
	serve := o.serve
	if o.fall == 0 {
		o.fall = 1
	}
	l := &lab{t: t, dir: t.TempDir(), seen: newSerialLog(t),
		mainIP: labIP(n, 1), backupIP: labIP(n, 2)}
	l.main = startWeb(t, l.mainIP, 0)
	l.backup = startWeb(t, l.backupIP, l.main.port())
	l.cfg = filepath.Join(l.dir, "zonerw.yaml")
	l.out = filepath.Join(l.dir, "out", "example.com.zone")
	server, zoneExtra := "", ""
	if serve {
		// An address of the lab's own: a port freed by a kill must not be
		// taken by another lab's daemon before this one starts again.
		dnsIP := labIP(n, 53)
		l.dnsAddr = fmt.Sprintf("%s:%d", dnsIP, freePort(t, dnsIP))
		l.sink = startNotifySink(t, l.seen)
		server = fmt.Sprintf("server:\n  listen: [%q]\n", l.dnsAddr)
		zoneExtra = fmt.Sprintf("    allow_transfer: [127.0.0.0/8]\n    secondaries:\n      - {address: %q}\n", l.sink.addr)
	}
	writeFile(t, l.cfg, fmt.Sprintf(`state_dir: state
%sservices:
  - name: web
    every: "@every 1s"
    check: {type: http, url: "http://{addr}:%d/", timeout: 500ms}
    rise: 1
    fall: %d
    targets:
      - {name: main, ipv4: %s}
      - {name: backup, ipv4: %s}
zones:
  - name: example.com
    template: example.com.tmpl
    output: out/example.com.zone
    reload: {command: ["true"]}
%s%s`, server, l.main.port(), o.fall, l.mainIP, l.backupIP, zoneExtra, secondZone(o.second)))
	writeFile(t, filepath.Join(l.dir, "example.com.tmpl"), labTemplate)
	if o.second {
		writeFile(t, filepath.Join(l.dir, "example.net.tmpl"), strings.ReplaceAll(labTemplate, "example.com", "example.net"))
	}
	return l
}

func secondZone(on bool) string {
	if !on {
		return ""
	}
	return "  - {name: example.net, template: example.net.tmpl, output: out2/example.net.zone}\n"
}

func (l *lab) stateDir() string   { return filepath.Join(l.dir, "state") }
func (l *lab) journalDir() string { return filepath.Join(l.stateDir(), "journal") }

// stored is the zone's version in the store, as a fresh start reads it,
// and what was wrong with the files.
func (l *lab) stored() (*zones.Version, []string) {
	st := store.OpenReadOnly(l.journalDir(), slog.New(slog.DiscardHandler)).Load("example.com.")
	return st.Version, st.Problems
}

// output parses the output file; nil when there is none yet. A file that
// does not parse fails the test: nothing half-written may ever be there.
func (l *lab) output(when string) *zones.Version {
	l.t.Helper()
	text, err := os.ReadFile(l.out)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		l.t.Fatal(err)
	}
	v, err := zones.ParseVersion("example.com", l.out, text, zones.ParseOptions{})
	if err != nil {
		l.t.Fatalf("%s: the output file does not parse: %v\n%s", when, err, text)
	}
	return v
}

// stateSerial is the zone's serial in state.json, if it can be read.
func (l *lab) stateSerial() (uint32, bool) {
	var st struct {
		Zones map[string]struct{ Serial uint32 } `json:"zones"`
	}
	found, err := zones.LoadJSON(filepath.Join(l.stateDir(), "state.json"), &st)
	if err != nil || !found {
		return 0, false
	}
	z, ok := st.Zones["example.com"]
	return z.Serial, ok && z.Serial != 0
}

// observeFiles records the serials the durable files hold now.
func (l *lab) observeFiles(when string) {
	l.t.Helper()
	if v, _ := l.stored(); v != nil {
		l.seen.see("store", v.Serial())
	}
	if v := l.output(when); v != nil {
		l.seen.see("output file", v.Serial())
	}
	if s, ok := l.stateSerial(); ok {
		l.seen.see("state file", s)
	}
}

// wwwOf is www.example.com's address in v.
func wwwOf(v *zones.Version) string {
	for _, rr := range v.Zone().Records {
		if a, ok := rr.(*dns.A); ok && strings.EqualFold(a.Hdr.Name, "www.example.com.") {
			return a.A.String()
		}
	}
	return ""
}

// checkAtRest checks the files of a zonerw that is not running: the store
// loads without a problem, the output file parses and holds the stored
// version, state.json reads and names its serial, no temp file or
// damaged copy is left, and www points at want.
func (l *lab) checkAtRest(when, want string) *zones.Version {
	l.t.Helper()
	v, problems := l.stored()
	if v == nil || len(problems) > 0 {
		l.t.Fatalf("%s: stored version %v, problems %q", when, v != nil, problems)
	}
	out := l.output(when)
	if out == nil || out.Serial() != v.Serial() || !out.SameContent(v) {
		l.t.Fatalf("%s: the output file does not hold the stored version (serial %d)", when, v.Serial())
	}
	if s, ok := l.stateSerial(); !ok || s != v.Serial() {
		l.t.Errorf("%s: state.json serial %d (%v), stored %d", when, s, ok, v.Serial())
	}
	if got := wwwOf(v); got != want {
		l.t.Errorf("%s: www is %s, want %s", when, got, want)
	}
	l.seen.atLeastAll(when+": stored", v.Serial())
	for _, dir := range []string{l.stateDir(), l.journalDir(), filepath.Dir(l.out)} {
		for _, name := range dirNames(l.t, dir) {
			if strings.Contains(name, ".tmp-") || (!l.damagedOK && strings.Contains(name, ".damaged-")) {
				l.t.Errorf("%s: %s left in %s", when, name, dir)
			}
		}
	}
	return v
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// recordsOf is a zone's records as sorted text, for comparing.
func recordsOf(rrs []dns.RR) []string {
	var out []string
	for _, rr := range rrs {
		out = append(out, rr.String())
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// axfr transfers the zone from the lab's nameserver.
func (l *lab) axfr() ([]dns.RR, error) {
	m := new(dns.Msg)
	m.SetAxfr("example.com.")
	env, err := (&dns.Transfer{}).In(m, l.dnsAddr)
	if err != nil {
		return nil, err
	}
	var rrs []dns.RR
	for e := range env {
		if e.Error != nil {
			return nil, e.Error
		}
		rrs = append(rrs, e.RR...)
	}
	return rrs, nil
}

// killedByCrashPoint reports whether err is the exit of a process that
// was sent SIGKILL.
func killedByCrashPoint(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}
