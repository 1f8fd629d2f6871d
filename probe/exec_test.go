package probe

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestExec(t *testing.T) {
	addr := netip.MustParseAddr("192.0.2.10")
	tests := []struct {
		name       string
		script     string
		wantOK     bool
		wantReason string
	}{
		{"exit 0", `echo "database answers in 3ms"; echo second line`, true, "database answers in 3ms"},
		{"exit 0, silent", `exit 0`, true, "exit 0"},
		{"exit 0, blank first lines", `printf '\n  \nready\n'`, true, "ready"},
		{"exit 1", `echo "replica lag 40s"; exit 1`, false, "exit status 1: replica lag 40s"},
		{"exit 2, only stderr", `echo boom >&2; exit 2`, false, "exit status 2: boom"},
		{"environment", `echo "$ZONERW_ADDR $ZONERW_TARGET $ZONERW_SERVICE ${ZONERW_SOURCE:-none}"`, true, "192.0.2.10 main web none"},
		{"control characters dropped", `printf 'a\033[31mb\n'`, true, "a[31mb"},
		{"much output", `yes abc | head -n 200000`, true, "abc"},
		{"killed by a signal", `kill -TERM $$`, false, "signal: terminated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Exec{Command: []string{"/bin/sh", "-c", tt.script}, Service: "web", Target: "main"}
			checkResult(t, e.Probe(testCtx(t), addr), tt.wantOK, tt.wantReason)
		})
	}
}

func TestExecSource(t *testing.T) {
	e := &Exec{Command: []string{"/bin/sh", "-c", `echo "$ZONERW_SOURCE"`}, Source: netip.MustParseAddr("127.0.0.53")}
	checkResult(t, e.Probe(testCtx(t), netip.MustParseAddr("127.0.0.1")), true, "127.0.0.53")
}

func TestExecCannotRun(t *testing.T) {
	e := &Exec{Command: []string{"/nonexistent/check-db"}}
	checkResult(t, e.Probe(testCtx(t), netip.MustParseAddr("127.0.0.1")), false,
		`cannot run the command: fork/exec /nonexistent/check-db: no such file or directory`)
	checkResult(t, (&Exec{}).Probe(testCtx(t), netip.MustParseAddr("127.0.0.1")), false,
		"invalid probe: Command: an exec check needs a command")
}

// A command that hangs is killed at the deadline, and so is what it
// started in the background.
func TestExecHangIsKilled(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	script := fmt.Sprintf(`sleep 300 & echo $! > %s; echo "waiting on the database"; wait`, pidFile)
	e := &Exec{Command: []string{"/bin/sh", "-c", script}}
	ctx, cancel := context.WithTimeout(t.Context(), probeTimeout)
	defer cancel()
	got := e.Probe(ctx, netip.MustParseAddr("127.0.0.1"))
	checkResult(t, got, false, "timeout after ")
	if !strings.HasSuffix(got.Reason, " (command killed): waiting on the database") {
		t.Errorf("reason %q does not say the command was killed and what it said", got.Reason)
	}
	// Not a timing assertion: the command would sleep 300s if not killed.
	if got.Latency > testTimeout {
		t.Errorf("probe took %v", got.Latency)
	}
	raw, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the script did not start its child: %v", err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	deadline := time.Now().Add(testTimeout)
	for processAlive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("the command's child %d still runs %v after the probe", pid, testTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// processAlive reports whether pid runs (a zombie waiting to be reaped
// has stopped running).
func processAlive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses: "123 (sleep) S ...".
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}
