package integration

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// The crash-point harness. zonerw is built with -tags crashpoints (see
// zones/crashpoint), which kills it with SIGKILL at the N-th time it
// reaches a named step: a version made, stored, offered; a journal entry
// written and synced; a snapshot written before its journal; each step
// of every atomic file write (state file, snapshot, journal, output
// file); the output file rendered, written, reloaded; the nameserver's
// swap; a NOTIFY sent and acknowledged; the state file saved.
//
// Each test runs its script of flips once with a trace, which lists every
// step reached and its count, then once per step of the trace with the
// kill set there. After each kill zonerw is started again, and the test
// checks: the output file always parses; no serial went backwards, from
// any source, across every serial seen (stored, output file, state file,
// served, NOTIFY); the restarted zonerw serves nothing below any of them;
// the pending change completes; at rest the store, the output file and
// state.json hold the same version and the nameserver serves it exactly;
// no temp file or damaged copy is left.

// crashWorkers is how many labs run at once: each is mostly waiting on
// probes rounds a second apart.
const crashWorkers = 4

var labCounter atomic.Int32

// nextLab numbers the labs, so each has addresses of its own.
func nextLab() int { return int(labCounter.Add(1)) }

// crashCase is one kill: at the given trace line, during step.
type crashCase struct {
	step int
	at   traceLine
}

func (c crashCase) name(steps []string) string {
	return fmt.Sprintf("%s/%s:%d(%s)", steps[c.step], c.at.point, c.at.n, c.at.what)
}

// crashTally counts what the cases did, for the summary.
type crashTally struct {
	mu      sync.Mutex
	tried   int
	killed  int
	byPoint map[string]int
}

func (ct *crashTally) add(point string, killed bool) {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	if ct.byPoint == nil {
		ct.byPoint = map[string]int{}
	}
	ct.tried++
	if killed {
		ct.killed++
		ct.byPoint[point]++
	}
}

func (ct *crashTally) summary(mode string, took time.Duration) string {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	var points []string
	for p, n := range ct.byPoint {
		points = append(points, fmt.Sprintf("%s %d", p, n))
	}
	sort.Strings(points)
	return fmt.Sprintf("crash points (%s): %d tried, %d killed zonerw there, in %s; kills by point: %s",
		mode, ct.tried, ct.killed, took.Round(time.Second), strings.Join(points, ", "))
}

// report prints the summary and keeps it in $ZONERW_ARTIFACTS.
func (ct *crashTally) report(t *testing.T, mode string, took time.Duration) {
	s := ct.summary(mode, took)
	t.Log(s)
	if dir := os.Getenv("ZONERW_ARTIFACTS"); dir != "" {
		f, err := os.OpenFile(filepath.Join(dir, "crashpoints.txt"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintln(f, s)
			f.Close()
		}
	}
	if ct.tried == 0 || ct.killed*10 < ct.tried*9 {
		t.Errorf("only %d of %d crash points killed zonerw: the trace and the runs disagree", ct.killed, ct.tried)
	}
}

// runCases runs every case, crashWorkers at a time, each as a subtest.
func runCases(t *testing.T, cases []crashCase, steps []string, run func(t *testing.T, c crashCase) bool, tally *crashTally) {
	next := make(chan crashCase)
	var wg sync.WaitGroup
	for range crashWorkers {
		wg.Go(func() {
			for c := range next {
				t.Run(c.name(steps), func(t *testing.T) { tally.add(c.at.point, run(t, c)) })
			}
		})
	}
	for _, c := range cases {
		next <- c
	}
	close(next)
	wg.Wait()
}

// ----- cron mode -----

// cronStep is one run of the cron-mode script.
type cronStep struct {
	name   string
	mainUp bool
	args   []string
	want   string // "main" or "backup": where www points after it
}

var cronSteps = []cronStep{
	{name: "first-run", mainUp: true, want: "main"},
	{name: "failover", mainUp: false, want: "backup"},
	{name: "failback", mainUp: true, want: "main"},
	{name: "force", mainUp: true, args: []string{"--force"}, want: "main"},
}

func cronStepNames() []string {
	var out []string
	for _, s := range cronSteps {
		out = append(out, s.name)
	}
	return out
}

func (l *lab) addrOf(which string) string {
	if which == "main" {
		return l.mainIP
	}
	return l.backupIP
}

func (l *lab) setMain(up bool) {
	if up && l.main.srv == nil {
		l.main.start()
	}
	if !up {
		l.main.stop()
	}
}

// cronRun runs the crash build once in cron mode with env and reports
// whether a crash point killed it; any other failure fails the test.
func (l *lab) cronRun(step cronStep, env ...string) (killed bool, output string) {
	l.t.Helper()
	l.setMain(step.mainUp)
	cmd := exec.Command(l.binary(), append([]string{"-q", "-c", l.cfg}, step.args...)...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	switch {
	case err == nil:
		return false, out.String()
	case killedByCrashPoint(err):
		return true, out.String()
	}
	l.t.Fatalf("%s: zonerw: %v\n%s", step.name, err, out.String())
	return false, ""
}

// TestCrashPointsCronMode kills cron mode at every step the trace of a
// first run, a failover, a failback and a --force reaches, and runs it
// again after each kill.
func TestCrashPointsCronMode(t *testing.T) {
	start := time.Now()
	steps := cronStepNames()
	traceLab := newLab(t, nextLab(), false)
	var cases []crashCase
	serials := make([]uint32, len(cronSteps))
	for i, step := range cronSteps {
		trace := filepath.Join(traceLab.dir, fmt.Sprintf("trace-%d", i))
		if killed, out := traceLab.cronRun(step, "ZONERW_CRASH_TRACE="+trace); killed {
			t.Fatalf("the trace run was killed:\n%s", out)
		}
		traceLab.observeFiles(step.name)
		serials[i] = traceLab.checkAtRest(step.name, traceLab.addrOf(step.want)).Serial()
		for _, line := range readTrace(t, trace, 0) {
			cases = append(cases, crashCase{step: i, at: line})
		}
	}
	if t.Failed() {
		return
	}
	day := time.Now().UTC().Format("20060102")
	tally := &crashTally{}
	runCases(t, cases, steps, func(t *testing.T, c crashCase) bool {
		return cronCrashCase(t, c, serials, day)
	}, tally)
	tally.report(t, "cron mode", time.Since(start))
}

// cronCrashCase runs the script up to c's step, kills that run at c's
// point, runs it again and checks the files.
func cronCrashCase(t *testing.T, c crashCase, serials []uint32, day string) bool {
	l := newLab(t, nextLab(), false)
	for _, step := range cronSteps[:c.step] {
		l.cronRun(step)
		l.observeFiles(step.name)
	}
	step := cronSteps[c.step]
	var before uint32
	if v, _ := l.stored(); v != nil {
		before = v.Serial()
	}
	trace := filepath.Join(l.dir, "trace")
	killed, out := l.cronRun(step, "ZONERW_CRASH_AT="+c.at.spec(), "ZONERW_CRASH_TRACE="+trace)
	if killed && !killedAt(t, trace, c.at) {
		t.Fatalf("zonerw was killed, but not at %s:\n%s", c.at.spec(), out)
	}
	l.observeFiles("after the kill")
	if _, again := l.cronRun(step); again != "" && strings.Contains(again, "level=ERROR") {
		t.Errorf("the run after the kill logged an error:\n%s", again)
	}
	l.observeFiles("after the run again")
	v := l.checkAtRest("after the run again", l.addrOf(step.want))
	switch {
	case len(step.args) > 0:
		// --force run again forces again: a new serial, whether or not
		// the killed run stored one.
		if !serialGreater(v.Serial(), before) {
			t.Errorf("serial %d after the kill and --force again, %d before", v.Serial(), before)
		}
	case v.Serial() != serials[c.step] && time.Now().UTC().Format("20060102") == day:
		// The step's change happened once: the serial is the one the
		// run without a kill made (unless the date moved on meanwhile).
		t.Errorf("serial %d after the kill and a run again, %d without the kill", v.Serial(), serials[c.step])
	}
	return killed
}

// killedAt reports whether the trace ends with the kill at `at`.
func killedAt(t *testing.T, trace string, at traceLine) bool {
	return slices.ContainsFunc(readTrace(t, trace, 0), func(x traceLine) bool {
		return x.kill && x.point == at.point && x.n == at.n
	})
}

// ----- zonerw serve -----

// proc is a zonerw process the harness started.
type proc struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
	err  error
}

func (p *proc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (l *lab) startServe(env ...string) *proc {
	l.t.Helper()
	p := &proc{done: make(chan struct{})}
	p.cmd = exec.Command(l.binary(), "serve", "-c", l.cfg)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p, p
	if err := p.cmd.Start(); err != nil {
		l.t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	l.t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if l.t.Failed() {
			l.t.Logf("zonerw serve (%v) log:\n%s", env, p.log())
		}
	})
	return p
}

// stop sends SIGTERM and waits for a clean exit (or a kill at a crash
// point, which it reports).
func (l *lab) stopServe(p *proc) (killed bool) {
	l.t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		l.t.Fatalf("zonerw serve did not stop within 30s of SIGTERM\n%s", p.log())
	}
	if killedByCrashPoint(p.err) {
		return true
	}
	if p.err != nil {
		l.t.Fatalf("zonerw serve exited with %v\n%s", p.err, p.log())
	}
	return false
}

// served asks the lab's nameserver for www and the SOA serial, and
// records the serial.
func (l *lab) served() (www string, serial uint32, ok bool) {
	www = lookupA(l.dnsAddr, "www.example.com")
	m := new(dns.Msg)
	m.SetQuestion("example.com.", dns.TypeSOA)
	r, _, err := (&dns.Client{Timeout: 300 * time.Millisecond}).Exchange(m, l.dnsAddr)
	if err != nil || r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 {
		return www, 0, false
	}
	soa, isSOA := r.Answer[0].(*dns.SOA)
	if !isSOA {
		return www, 0, false
	}
	l.seen.see("served", soa.Serial)
	return www, soa.Serial, true
}

// waitServed polls until cond holds of what is served, and reports
// false if p exits first. After a restart, first is called with the
// first serial served.
func (l *lab) waitServed(p *proc, what string, cond func(www string, serial uint32) bool, first func(uint32)) bool {
	l.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if p.exited() {
			return false
		}
		www, serial, ok := l.served()
		if ok && first != nil {
			first(serial)
			first = nil
		}
		if ok && cond(www, serial) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	l.t.Fatalf("waiting for %s: not served within 30s\n%s", what, p.log())
	return false
}

var serveSteps = []string{"start", "failover", "failback", "force", "stop"}

// serveScript is the script the daemon is run through: start with main
// up, main down, main up again, --force, SIGTERM. It reports the step at
// which p died at a crash point, or -1. offsets, when not nil, gets the
// trace file's size as each step begins.
func (l *lab) serveScript(p *proc, trace string, offsets []int64) (died int) {
	l.t.Helper()
	mark := func(i int) {
		if offsets != nil {
			offsets[i] = fileSize(trace)
		}
	}
	is := func(ip string) func(string, uint32) bool {
		return func(www string, _ uint32) bool { return www == ip }
	}
	mark(0)
	if !l.waitServed(p, "main at start", is(l.mainIP), nil) {
		return 0
	}
	mark(1)
	l.setMain(false)
	if !l.waitServed(p, "the failover", is(l.backupIP), nil) {
		return 1
	}
	mark(2)
	l.setMain(true)
	if !l.waitServed(p, "the failback", is(l.mainIP), nil) {
		return 2
	}
	mark(3)
	_, before, _ := l.served()
	if !l.force(p, before) {
		return 3
	}
	mark(4)
	if l.checkServedIsStored(p) && l.stopServe(p) {
		return 4
	}
	if p.exited() && killedByCrashPoint(p.err) {
		return 4
	}
	return -1
}

// dying waits for p to exit after a failure that a kill explains (a
// daemon killed while it answers closes its sockets a moment before it
// is gone); if it does not exit, the failure was real.
func (l *lab) dying(p *proc, failure string) {
	l.t.Helper()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		l.t.Fatalf("%s\n%s", failure, p.log())
	}
}

// force runs zonerw --force against the daemon and waits for a serial
// above before; it reports false if the daemon died.
func (l *lab) force(p *proc, before uint32) bool {
	l.t.Helper()
	code, out, errOut := runZonerw(l.t, "--force", "-c", l.cfg)
	if code != 0 {
		l.dying(p, fmt.Sprintf("--force: exit %d %s %s", code, out, errOut))
		return false
	}
	if p.exited() {
		return false
	}
	return l.waitServed(p, "the forced serial", func(_ string, s uint32) bool { return serialGreater(s, before) }, nil)
}

// checkServedIsStored transfers the zone and checks it is what the store
// holds: the same records, the same serial. It reports false if the
// daemon died meanwhile.
func (l *lab) checkServedIsStored(p *proc) bool {
	l.t.Helper()
	rrs, err := l.axfr()
	if err != nil {
		l.dying(p, fmt.Sprintf("AXFR: %v", err))
		return false
	}
	if p.exited() {
		return false
	}
	// The store may be compacting in the background (a new snapshot, then
	// the journal replaced): reading its two files between those steps
	// can pair the old snapshot with the new journal, which no restart
	// sees. So the stored version is read again until it settles.
	deadline := time.Now().Add(10 * time.Second)
	for {
		stored, problems := l.stored()
		if stored == nil {
			l.t.Fatalf("nothing stored while serving (problems: %q)", problems)
		}
		got, want := recordsOf(rrs), recordsOf(stored.Zone().Records)
		if slices.Equal(got, want) {
			return true
		}
		if time.Now().After(deadline) {
			l.t.Errorf("served zone differs from the stored one:\nserved %q\nstored %q (problems: %q)", got, want, problems)
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCrashPointsServe kills zonerw serve at every step the trace of a
// start, a failover, a failback, a --force and a SIGTERM reaches (each
// step's first time at each point and file), starts it again and checks
// that it serves the stored zone, above every serial seen, and completes
// the pending change.
func TestCrashPointsServe(t *testing.T) {
	start := time.Now()
	traceLab := newLab(t, nextLab(), true)
	trace := filepath.Join(traceLab.dir, "trace")
	offsets := make([]int64, len(serveSteps)+1)
	p := traceLab.startServe("ZONERW_CRASH_TRACE=" + trace)
	if died := traceLab.serveScript(p, trace, offsets); died >= 0 {
		t.Fatalf("the trace run died at step %s", serveSteps[died])
	}
	offsets[len(serveSteps)] = fileSize(trace)
	traceLab.checkAtRest("after the trace run", traceLab.mainIP)
	cases := pickServeCases(t, trace, offsets)
	if t.Failed() {
		return
	}
	tally := &crashTally{}
	runCases(t, cases, serveSteps, serveCrashCase, tally)
	tally.report(t, "zonerw serve", time.Since(start))
}

// pickServeCases takes, for each step of the trace run, the first time
// each point was reached for each file or zone.
func pickServeCases(t *testing.T, trace string, offsets []int64) []crashCase {
	var cases []crashCase
	seen := map[string]bool{}
	step := 0
	for _, line := range readTrace(t, trace, 0) {
		for step+1 < len(serveSteps) && line.off >= offsets[step+1] {
			step++
		}
		key := fmt.Sprintf("%d %s %s", step, line.point, line.what)
		if !seen[key] {
			seen[key] = true
			cases = append(cases, crashCase{step: step, at: line})
		}
	}
	return cases
}

// serveCrashCase runs the script with the kill set at c, then starts the
// daemon again and has it finish what was pending.
func serveCrashCase(t *testing.T, c crashCase) bool {
	l := newLab(t, nextLab(), true)
	trace := filepath.Join(l.dir, "trace")
	p := l.startServe("ZONERW_CRASH_AT="+c.at.spec(), "ZONERW_CRASH_TRACE="+trace)
	died := l.serveScript(p, trace, nil)
	if died < 0 {
		l.checkAtRest("no kill", l.mainIP)
		return false
	}
	<-p.done
	if !killedByCrashPoint(p.err) {
		t.Fatalf("zonerw serve exited with %v, not at a crash point\n%s", p.err, p.log())
	}
	if !killedAt(t, trace, c.at) {
		t.Fatalf("zonerw was killed, but not at %s", c.at.spec())
	}
	l.observeFiles("after the kill")
	mainUp := l.main.srv != nil
	p = l.startServe()
	want := l.backupIP
	if mainUp {
		want = l.mainIP
	}
	firstServed := func(s uint32) { l.seen.atLeastAll("the first serial served after the restart", s) }
	if !l.waitServed(p, "the pending change after the restart", func(www string, _ uint32) bool { return www == want }, firstServed) {
		t.Fatalf("the restarted daemon died\n%s", p.log())
	}
	if died == 3 {
		_, before, _ := l.served()
		if !l.force(p, before) {
			t.Fatalf("the restarted daemon died\n%s", p.log())
		}
	}
	l.checkServedIsStored(p)
	if l.stopServe(p) {
		t.Fatal("the restarted daemon was killed")
	}
	if log := p.log(); strings.Contains(log, "level=ERROR") {
		t.Errorf("the restarted daemon logged an error:\n%s", log)
	}
	l.observeFiles("after the restarted daemon stopped")
	l.checkAtRest("after the restarted daemon stopped", want)
	return true
}
