package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// What zonerw does when a file it keeps is lost or damaged between runs:
// it always starts, says which file and what it recovered, sets a damaged
// file aside (renamed, never deleted), never moves a serial back while
// one durable copy survives, and does not undo the failover the lost
// file had recorded.

// stateFault damages the lab's files between two runs.
type stateFault struct {
	name string
	do   func(t *testing.T, l *lab)
	// setAside: the damaged state.json is renamed, and the run says so.
	setAside bool
	// bump: nothing left remembers the content (state file and store
	// both gone), so a new serial is the safe side.
	bump bool
	// log is a line the run must print on stderr.
	log string
}

func stateFile(l *lab) string { return filepath.Join(l.stateDir(), "state.json") }

var stateFaults = []stateFault{
	{name: "state.json deleted", do: func(t *testing.T, l *lab) { mustRemove(t, stateFile(l)) },
		log: "state file missing beside stored zones"},
	{name: "state.json empty", do: func(t *testing.T, l *lab) { writeFile(t, stateFile(l), "") },
		setAside: true, log: "unexpected end of JSON input"},
	{name: "state.json garbage", do: func(t *testing.T, l *lab) { writeFile(t, stateFile(l), "\x00\x17not json at all") },
		setAside: true, log: "invalid character"},
	{name: "state.json cut short", do: func(t *testing.T, l *lab) {
		data := readFile(t, stateFile(l))
		writeFile(t, stateFile(l), data[:len(data)/2])
	}, setAside: true, log: "unexpected end of JSON input"},
	{name: "state.json of another version", do: func(t *testing.T, l *lab) { writeFile(t, stateFile(l), `{"version": 7}`) },
		setAside: true, log: "state version 7 is not 1"},
	{name: "journal directory deleted", do: func(t *testing.T, l *lab) { mustRemove(t, l.journalDir()) }},
	{name: "output file deleted", do: func(t *testing.T, l *lab) { mustRemove(t, l.out) }},
	{name: "state directory deleted, output file kept", do: func(t *testing.T, l *lab) { mustRemove(t, l.stateDir()) },
		bump: true},
	{name: "temp files of interrupted writes", do: func(t *testing.T, l *lab) {
		for _, p := range []string{filepath.Join(l.stateDir(), ".state.json.tmp-1"), filepath.Join(l.journalDir(), ".example.com.snap.tmp-2"),
			filepath.Join(filepath.Dir(l.out), ".example.com.zone.tmp-3")} {
			writeFile(t, p, "half a write")
		}
	}, log: "removed temp files an interrupted write left behind"},
}

func mustRemove(t *testing.T, path string) {
	t.Helper()
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
}

// cron runs the normal build in cron mode with main up or down.
func (l *lab) cron(mainUp bool, args ...string) (code int, stdout, stderr string) {
	l.t.Helper()
	l.setMain(mainUp)
	return runZonerw(l.t, append([]string{"-c", l.cfg}, args...)...)
}

func (l *lab) mustCron(mainUp bool) string {
	l.t.Helper()
	code, out, errOut := l.cron(mainUp)
	if code != 0 {
		l.t.Fatalf("zonerw exited %d\n%s%s", code, out, errOut)
	}
	return errOut
}

// failedOver brings the lab to backup in cron mode (fall 2: two runs with
// main down) and returns the serial.
func (l *lab) failedOver() uint32 {
	l.t.Helper()
	l.mustCron(true)
	l.mustCron(false)
	l.mustCron(false)
	v := l.checkAtRest("failed over", l.backupIP)
	return v.Serial()
}

func TestCronModeRecoversFromEveryLostOrDamagedFile(t *testing.T) {
	for _, f := range stateFaults {
		t.Run(f.name, func(t *testing.T) {
			l := newLabWith(t, nextLab(), labOpts{fall: 2})
			l.bin = zonerwBin
			before := l.failedOver()
			f.do(t, l)
			damaged := readFileIfAny(stateFile(l))
			l.damagedOK = f.setAside
			// Main is still down. fall is 2: a state started afresh would
			// count main up and point www back at it for a run.
			errOut := l.mustCron(false)
			v := l.checkAtRest("after the damage", l.backupIP)
			checkSerialAfterFault(t, f, before, v.Serial())
			checkFaultReport(t, f, l, errOut, damaged)
			// The rebuilt state works on: main back, rise 1, failback.
			l.mustCron(true)
			if v := l.checkAtRest("after main returned", l.mainIP); !serialGreater(v.Serial(), before) {
				t.Errorf("failback serial %d, not above %d", v.Serial(), before)
			}
		})
	}
}

func readFileIfAny(path string) string {
	data, _ := os.ReadFile(path)
	return string(data)
}

func checkSerialAfterFault(t *testing.T, f stateFault, before, after uint32) {
	t.Helper()
	switch {
	case serialGreater(before, after):
		t.Errorf("the serial went backwards: %d, then %d", before, after)
	case !f.bump && after != before:
		t.Errorf("the content did not change, but the serial did: %d -> %d", before, after)
	}
}

// checkFaultReport checks the run said what it found, set the damaged
// file aside with its bytes, and wrote a good state file again.
func checkFaultReport(t *testing.T, f stateFault, l *lab, errOut, damaged string) {
	t.Helper()
	if f.log != "" && !strings.Contains(errOut, f.log) {
		t.Errorf("stderr does not say %q:\n%s", f.log, errOut)
	}
	aside, _ := filepath.Glob(stateFile(l) + ".damaged-*")
	if !f.setAside {
		if len(aside) > 0 {
			t.Errorf("set aside without damage: %q", aside)
		}
		return
	}
	if len(aside) != 1 || readFileIfAny(aside[0]) != damaged {
		t.Fatalf("the damaged state file was not set aside whole: %q", aside)
	}
	for _, want := range []string{"state file unreadable: set aside", stateFile(l), "set_aside_as=" + aside[0], "zone serial recovered without the state file"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr does not say %q:\n%s", want, errOut)
		}
	}
}

// The state file one version behind the journal (a kill between the
// two), and the template edited since: zonerw starts, goes above the
// journal's serial and serves the edit.
func TestStaleStateAndAnEditedTemplate(t *testing.T) {
	for _, serve := range []bool{false, true} {
		t.Run(map[bool]string{false: "cron mode", true: "zonerw serve"}[serve], func(t *testing.T) {
			l := newLabWith(t, nextLab(), labOpts{serve: serve})
			l.bin = zonerwBin
			l.mustCron(true)
			old := readFile(t, stateFile(l))
			l.mustCron(false) // the failover: journal and output move on
			stored, _ := l.stored()
			writeFile(t, stateFile(l), old)
			writeFile(t, filepath.Join(l.dir, "example.com.tmpl"), labTemplate+"edited 300 IN A 127.0.0.77\n")
			if !serve {
				l.mustCron(false)
			} else {
				p := l.startServe()
				l.waitServed(p, "the edit", func(string, uint32) bool { return lookupA(l.dnsAddr, "edited.example.com") == "127.0.0.77" }, nil)
				if www := lookupA(l.dnsAddr, "www.example.com"); www != l.backupIP {
					t.Errorf("www %s, want %s", www, l.backupIP)
				}
				l.stopServe(p)
			}
			v := l.checkAtRest("after the start", l.backupIP)
			if !serialGreater(v.Serial(), stored.Serial()) || !strings.Contains(readFile(t, l.out), "edited") {
				t.Errorf("serial %d (journal had %d), edit in the output file: %v", v.Serial(), stored.Serial(), strings.Contains(readFile(t, l.out), "edited"))
			}
		})
	}
}

// zonerw serve with a damaged state file starts, serves the stored zone
// from its first answer, and does not move what it serves: the same
// target, the same serial.
func TestServeStartsWithADamagedStateFile(t *testing.T) {
	for _, f := range stateFaults {
		if f.bump || f.name == "output file deleted" {
			continue // the cron test covers them; the daemon reads the same files
		}
		t.Run(f.name, func(t *testing.T) {
			l := newLabWith(t, nextLab(), labOpts{serve: true, fall: 2})
			l.bin = zonerwBin
			p := l.startServe()
			l.waitServed(p, "main", func(www string, _ uint32) bool { return www == l.mainIP }, nil)
			l.setMain(false)
			l.waitServed(p, "the failover", func(www string, _ uint32) bool { return www == l.backupIP }, nil)
			l.stopServe(p)
			before := l.checkAtRest("failed over", l.backupIP).Serial()
			f.do(t, l)
			damaged := readFileIfAny(stateFile(l))
			l.damagedOK = f.setAside

			started := time.Now()
			p = l.startServe()
			first := true
			l.waitServed(p, "the stored zone", func(www string, serial uint32) bool {
				if first && (www != l.backupIP || serial != before) {
					t.Errorf("the first answer after the start: www %s serial %d, want %s and %d", www, serial, l.backupIP, before)
				}
				first = false
				return true
			}, nil)
			// Two probe rounds of main down (fall 2) later, nothing moved.
			l.waitProbes(p, "main", started, 2)
			if www, serial, _ := l.served(); www != l.backupIP || serial != before {
				t.Fatalf("after the start zonerw moved to www %s serial %d, from %s %d", www, serial, l.backupIP, before)
			}
			l.stopServe(p)
			l.checkAtRest("after the restart", l.backupIP)
			checkFaultReport(t, f, l, p.log(), damaged)
		})
	}
}

// waitProbes waits until the daemon has probed target n times since
// start, as zonerw status reports.
func (l *lab) waitProbes(p *proc, target string, since time.Time, n int) {
	l.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && !p.exited() {
		code, out, _ := runZonerw(l.t, "status", "--json", "-c", l.cfg)
		var v struct {
			Services map[string]struct {
				Targets map[string]struct {
					Recent []struct{ At time.Time }
				}
			}
		}
		if code == 0 && json.Unmarshal([]byte(out), &v) == nil {
			count := 0
			for _, r := range v.Services["web"].Targets[target].Recent {
				if r.At.After(since) {
					count++
				}
			}
			if count >= n {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	l.t.Fatalf("%s was not probed %d times within 30s\n%s", target, n, p.log())
}

// zonerw pin without a daemon, on a damaged state file, sets it aside
// and records the pin, as a run would, instead of refusing.
func TestPinWithoutADaemonOnADamagedStateFile(t *testing.T) {
	l := newLabWith(t, nextLab(), labOpts{})
	l.bin = zonerwBin
	l.mustCron(true)
	writeFile(t, stateFile(l), "{garbage")
	code, out, errOut := runZonerw(t, "pin", "-c", l.cfg, "web", "backup")
	if code != 0 || !strings.Contains(out, "pinned web to backup") || !strings.Contains(errOut, "set aside") {
		t.Fatalf("pin: exit %d\n%s%s", code, out, errOut)
	}
	if aside, _ := filepath.Glob(stateFile(l) + ".damaged-*"); len(aside) != 1 {
		t.Errorf("set aside: %q", aside)
	}
	l.damagedOK = true
	l.mustCron(true) // main is up, but pinned to backup
	l.checkAtRest("after the pin", l.backupIP)
}

// TestServeKeepsProbeCountsThroughAKill: a target's state and its count
// toward changing it reach state.json as soon as a round changes them,
// not only at the next publish or a clean stop, so a kill -9 loses none
// of it: with main active and the backup dead (no decision, no publish),
// the state file comes to hold the backup down, and that is what zonerw
// status shows after the kill.
func TestServeKeepsProbeCountsThroughAKill(t *testing.T) {
	l := newLabWith(t, nextLab(), labOpts{serve: true, fall: 3})
	l.bin = zonerwBin
	p := l.startServe()
	l.waitServed(p, "main", func(www string, _ uint32) bool { return www == l.mainIP }, nil)
	l.backup.stop()
	type targets struct {
		Services map[string]struct {
			Targets map[string]struct {
				Up       bool
				Failures int
			}
		}
	}
	backupIn := func(data []byte) (up bool, failures int, ok bool) {
		var v targets
		if json.Unmarshal(data, &v) != nil {
			return false, 0, false
		}
		ts, ok := v.Services["web"].Targets["backup"]
		return ts.Up, ts.Failures, ok
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		data, _ := os.ReadFile(filepath.Join(l.stateDir(), "state.json"))
		if up, failures, ok := backupIn(data); ok && !up && failures >= 3 {
			break
		}
		if time.Now().After(deadline) || p.exited() {
			t.Fatalf("state.json never had the backup down while the daemon ran:\n%s\n%s", data, p.log())
		}
		time.Sleep(100 * time.Millisecond) // polling interval
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	code, out, _ := runZonerw(t, "status", "--json", "-c", l.cfg) // no daemon: read from state.json
	if up, failures, ok := backupIn([]byte(out)); code != 0 || !ok || up || failures < 3 {
		t.Errorf("after kill -9 zonerw status has the backup up=%v with %d failures (exit %d), want down with 3 or more:\n%s", up, failures, code, out)
	}
}
