package integration

import (
	"bytes"
	"encoding/json"
	"errors"
	"github.com/zonerw/zonerw/cmd/zonerw/auditlog"
	"github.com/zonerw/zonerw/failover"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// An output file on a full or read-only disk is an error for that file
// alone: the embedded nameserver still fails over, the other zones are
// still written, and the file is written once the disk takes it again.

// mountOrSkip runs mount with args; where mounting is impossible (not
// root, no mount) the test is skipped, except in CI, where it must run.
func mountOrSkip(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("mount", args...).CombinedOutput()
	if err == nil {
		return
	}
	why := "mounting a small tmpfs or a read-only bind mount needs root and mount(8): " + strings.TrimSpace(string(out))
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (%v); CI runs as root and must run this test", why, err)
	}
	t.Skip(why)
}

// umountLater unmounts dir when the test ends (lazily: the daemon may
// still hold a file there for a moment).
func umountLater(t *testing.T, dir string) {
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
}

// fullDisk mounts a 1 MiB tmpfs at dir and fills it; it returns the
// filler, whose removal frees the disk.
func fullDisk(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mountOrSkip(t, "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir)
	umountLater(t, dir)
	return fill(t, dir)
}

// fill fills the disk dir is on with a file named filler, and returns it.
func fill(t *testing.T, dir string) string {
	t.Helper()
	filler := filepath.Join(dir, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	for range 1 << 12 { // at most 16 MiB, far past the 1 MiB
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return filler
		}
	}
	t.Fatal("the 1 MiB tmpfs never filled")
	return ""
}

// readOnlyDir makes dir a read-only bind mount of itself; the returned
// function makes it writable again.
func readOnlyDir(t *testing.T, dir string) func() {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mountOrSkip(t, "--bind", dir, dir)
	umountLater(t, dir)
	mountOrSkip(t, "-o", "remount,ro,bind", dir)
	if err := os.WriteFile(filepath.Join(dir, "probe"), nil, 0o644); err == nil {
		t.Fatal("the read-only bind mount takes writes")
	}
	return func() {
		if out, err := exec.Command("mount", "-o", "remount,rw,bind", dir).CombinedOutput(); err != nil {
			t.Fatalf("remount rw: %v %s", err, out)
		}
	}
}

// fileDestError is the last error of the zone file's destination, as
// zonerw status --json reports it.
func (l *lab) fileDestError() string {
	l.t.Helper()
	code, out, errOut := runZonerw(l.t, "status", "--json", "-c", l.cfg)
	if code != 0 && code != 1 {
		l.t.Fatalf("status: exit %d %s", code, errOut)
	}
	var v struct {
		Zones map[string]struct {
			Destinations []struct {
				Name      string `json:"name"`
				LastError string `json:"last_error"`
			} `json:"destinations"`
		} `json:"zones"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		l.t.Fatal(err)
	}
	for _, d := range v.Zones["example.com"].Destinations {
		if d.Name == "file:example.com" {
			if (d.LastError != "") != (code == 1) {
				l.t.Fatalf("status exits %d with the file destination's error %q: want 1 with an error, 0 without", code, d.LastError)
			}
			return d.LastError
		}
	}
	l.t.Fatalf("no file destination in status:\n%s", out)
	return ""
}

// waitOutput waits until the output file holds serial.
func (l *lab) waitOutput(p *proc, serial uint32) {
	l.t.Helper()
	deadline := time.Now().Add(90 * time.Second) // the file's worker backs off, doubling from 1s
	for time.Now().Before(deadline) {
		if v := l.output("waiting for the file"); v != nil && v.Serial() == serial {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	l.t.Fatalf("the output file never got serial %d\n%s", serial, p.log())
}

func TestServeFailsOverWhenTheOutputFileCannotBeWritten(t *testing.T) {
	tests := []struct {
		name     string
		breakDir func(t *testing.T, dir string) (mend func())
		want     string
	}{
		{"a full 1 MiB tmpfs", func(t *testing.T, dir string) func() {
			filler := fullDisk(t, dir)
			return func() { os.Remove(filler) }
		}, "no space left on device"},
		{"a read-only directory", readOnlyDir, "read-only file system"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLabWith(t, nextLab(), labOpts{serve: true})
			l.bin = zonerwBin
			mend := tc.breakDir(t, filepath.Dir(l.out))
			p := l.startServe()
			l.waitServed(p, "main", func(www string, _ uint32) bool { return www == l.mainIP }, nil)
			l.setMain(false)
			l.waitServed(p, "the failover", func(www string, _ uint32) bool { return www == l.backupIP }, nil)
			if err := l.fileDestError(); !strings.Contains(err, tc.want) || !strings.Contains(err, l.out) {
				t.Errorf("the file destination's error %q does not say %q and name %s", err, tc.want, l.out)
			}
			// The plain status says it too, in the zone's STATE column,
			// and exits 1: something needs a person.
			if code, out, errOut := runZonerw(t, "status", "-c", l.cfg); code != 1 || !strings.Contains(out, "file:example.com FAILING") || !strings.Contains(out, tc.want) {
				t.Errorf("zonerw status (exit %d %s) does not name the failing file destination with %q:\n%s", code, errOut, tc.want, out)
			}
			_, serial, _ := l.served()
			mend()
			l.waitOutput(p, serial)
			l.stopServe(p)
			l.checkAtRest("after the disk was mended", l.backupIP)
		})
	}
}

// In cron mode the zone whose file cannot be written fails the run and is
// named; the other zone is written; the next run, the disk mended, writes
// the stored version with the same serial.
func TestCronModeFullOutputDiskFailsOnlyThatFile(t *testing.T) {
	l := newLabWith(t, nextLab(), labOpts{second: true})
	l.bin = zonerwBin
	filler := fullDisk(t, filepath.Dir(l.out))
	code, _, errOut := l.cron(true)
	if code != 1 || !strings.Contains(errOut, l.out) || !strings.Contains(errOut, "no space left on device") {
		t.Fatalf("exit %d, want 1 with %s and the disk named:\n%s", code, l.out, errOut)
	}
	other := filepath.Join(l.dir, "out2", "example.net.zone")
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("the other zone was not written: %v", err)
	}
	stored, _ := l.stored()
	if stored == nil {
		t.Fatal("the version was not stored")
	}
	// zonerw status, with no daemon, says the file is behind and exits 1.
	if code, out, errOut := runZonerw(t, "status", "-c", l.cfg); code != 1 || !strings.Contains(out, "file:example.com FAILING") || !strings.Contains(out, "no space left on device") {
		t.Errorf("zonerw status after the failed write: exit %d, want 1 naming the failing file\n%s%s", code, out, errOut)
	}
	os.Remove(filler)
	l.mustCron(true)
	if code, out, errOut := runZonerw(t, "status", "-c", l.cfg); code != 0 || strings.Contains(out, "FAILING") {
		t.Errorf("zonerw status once the file is written: exit %d, want 0 and no failure\n%s%s", code, out, errOut)
	}
	if v := l.checkAtRest("after the disk was freed", l.mainIP); v.Serial() != stored.Serial() {
		t.Errorf("serial %d after the disk was freed, the stored one was %d", v.Serial(), stored.Serial())
	}
}

// TestServeStateDirCatchesUpOnceWritable: with the state directory
// refusing writes (remounted read-only, as a disk with errors is), a
// failover is served all the same and logged as served but not stored;
// once the directory takes writes again, the store and state.json get it
// without another change, and at rest the files hold it whole: state.json
// naming its serial, www on the backup, nothing torn or left behind.
func TestServeStateDirCatchesUpOnceWritable(t *testing.T) {
	l := newLabWith(t, nextLab(), labOpts{serve: true})
	l.bin = zonerwBin
	p := l.startServe()
	l.waitServed(p, "main", func(www string, _ uint32) bool { return www == l.mainIP }, nil)
	writable := readOnlyDir(t, l.stateDir())
	l.setMain(false)
	l.waitServed(p, "the failover", func(www string, _ uint32) bool { return www == l.backupIP }, nil)
	_, serial, _ := l.served()
	log := p.log()
	if !strings.Contains(log, "made and served but not stored") || strings.Contains(log, "zone version not made") {
		t.Errorf("the log does not say the failover was served but not stored:\n%s", log)
	}
	if strings.Contains(log, "cannot store the zone's new version") {
		t.Errorf("the store's failure is logged twice (the pipeline's trace line is for debug level):\n%s", log)
	}
	if v, _ := l.stored(); v == nil || v.Serial() == serial {
		t.Fatalf("the store on a read-only directory holds %v, want the version before serial %d", v, serial)
	}

	writable()
	deadline := time.Now().Add(60 * time.Second) // the retries back off, doubling from 1s
	for {
		v, _ := l.stored()
		s, _ := l.stateSerial()
		if v != nil && v.Serial() == serial && s == serial {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("60 s after the directory took writes again the store holds %v and state.json serial %d, want %d\n%s", v != nil, s, serial, p.log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	l.stopServe(p)
	l.checkAtRest("after the state directory took writes again", l.backupIP)
}

// TestServeStartsOnAReadOnlyStateDir: a state directory on a file system
// remounted read-only (as after a disk error) does not stop zonerw serve
// from starting: it serves the stored version from the first answer and
// still fails over, the versions made served but not stored. It refused
// to start ("state lock: read-only file system"), and systemd's restarts
// with it, so the primary was down altogether.
func TestServeStartsOnAReadOnlyStateDir(t *testing.T) {
	l := newLabWith(t, nextLab(), labOpts{serve: true})
	l.bin = zonerwBin
	p := l.startServe()
	l.waitServed(p, "main", func(www string, _ uint32) bool { return www == l.mainIP }, nil)
	_, stored, _ := l.served()
	l.stopServe(p)

	writable := readOnlyDir(t, l.stateDir())
	p = l.startServe()
	l.waitServed(p, "the stored version", func(www string, serial uint32) bool { return www == l.mainIP && serial == stored }, nil)
	l.setMain(false)
	l.waitServed(p, "the failover", func(www string, _ uint32) bool { return www == l.backupIP }, nil)
	if log := p.log(); !strings.Contains(log, "made and served but not stored") {
		t.Errorf("the log does not say the failover was served but not stored:\n%s", log)
	}
	writable()
	l.stopServe(p)
}

// TestAuditLogLeavesNoTornLineOnAFullDisk: an audit record that the disk
// takes only part of is cut off again, so the log ends at its last whole
// line and the next record, once there is room, is a line of its own. It
// was left torn, and the next record glued to it (jq stopped there).
func TestAuditLogLeavesNoTornLineOnAFullDisk(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	mountOrSkip(t, "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir)
	umountLater(t, dir)
	var logged bytes.Buffer
	a := auditlog.New(dir, slog.New(slog.NewTextHandler(&logged, nil)))
	event := func(reason string) failover.Outcome {
		return failover.Outcome{Events: []failover.Event{{Kind: failover.EventAllDown, Service: "web", Reason: reason, At: time.Now()}}}
	}
	a.Record(event("first"))
	before, err := os.ReadFile(auditlog.Path(dir))
	if err != nil || len(before)%4096 == 0 {
		t.Fatalf("the first record: %d bytes, %v", len(before), err)
	}
	filler := fill(t, dir) // the log's last page keeps its free bytes
	a.Record(event(strings.Repeat("x", 8192)))
	if !strings.Contains(logged.String(), "audit log write failed") {
		t.Fatalf("the failed write is not logged:\n%s", &logged)
	}
	if after, _ := os.ReadFile(auditlog.Path(dir)); !bytes.Equal(after, before) {
		t.Fatalf("after the failed write the log is %d bytes, want the %d it had", len(after), len(before))
	}
	os.Remove(filler)
	a.Record(event("after"))
	data, _ := os.ReadFile(auditlog.Path(dir))
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("line %d is not JSON: %.80q", i+1, line)
		}
	}
	if fi, _ := os.Stat(auditlog.Path(dir)); fi.Mode().Perm() != 0o600 {
		t.Errorf("audit.log mode %v, want 0600 as the rest of the state directory", fi.Mode().Perm())
	}
}
