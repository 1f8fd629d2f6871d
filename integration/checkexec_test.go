package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// execCheckScript is an operator's health script: what it does for a
// target is in the file named after ZONERW_TARGET in its directory (ok,
// fail or hang). It records its own PID and a hung one its child's, so
// the test can see both were killed.
const execCheckScript = `#!/bin/sh
dir=$(dirname "$0")
echo $$ > "$dir/$ZONERW_TARGET.pid"
case $(cat "$dir/$ZONERW_TARGET") in
ok)   echo "orders table answers ($ZONERW_ADDR)"; exit 0 ;;
fail) echo "replica lag 40s on $ZONERW_TARGET"; exit 1 ;;
hang) echo "waiting on the database"; sleep 300 & echo $! > "$dir/$ZONERW_TARGET.child.pid"; wait ;;
esac
echo "unknown mode" >&2
exit 3
`

// The exec check runs the operator's script for each target: exit 0 is
// up, exit 1 is down with the script's first line as the reason, and a
// script that hangs is killed at the check's timeout and counts as down.
func TestCronModeExecCheck(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "check-orders")
	writeFile(t, script, execCheckScript)
	if err := os.Chmod(script, 0o755); err != nil {
		t.Fatal(err)
	}
	mode := func(target, m string) { writeFile(t, filepath.Join(dir, target), m+"\n") }
	mode("main", "ok")
	mode("backup", "ok")
	cfg, out := checksSetup(t, "", fmt.Sprintf(`
  - name: shop
    check: {type: exec, command: [%s], timeout: 1s}
    rise: 2
    fall: 2
    targets: [{name: main, ipv4: 127.0.0.11}, {name: backup, ipv4: 127.0.0.12}]
`, script), "shop")

	mustRun(t, cfg)
	wantZone(t, out, "both ok", map[string]string{"shop": "127.0.0.11"})
	explain(t, cfg, "shop", "orders table answers (127.0.0.11)", "orders table answers (127.0.0.12)")

	mode("main", "fail")
	mustRun(t, cfg)
	mustRun(t, cfg)
	wantZone(t, out, "main exits 1 twice", map[string]string{"shop": "127.0.0.12"})
	explain(t, cfg, "shop", "main down after 2 consecutive failures: exit status 1: replica lag 40s on main")

	mode("main", "ok")
	mustRun(t, cfg)
	mustRun(t, cfg)
	wantZone(t, out, "main exits 0 twice (rise 2)", map[string]string{"shop": "127.0.0.11"})

	mode("main", "hang")
	for range 2 {
		start := time.Now()
		mustRun(t, cfg)
		// Not a timing assertion: the script would sleep 300s if not killed.
		if took := time.Since(start); took > 60*time.Second {
			t.Fatalf("a run with a hung check took %s", took)
		}
		for _, f := range []string{"main.pid", "main.child.pid"} {
			if pid := readPID(t, filepath.Join(dir, f)); running(pid) {
				t.Fatalf("%s: process %d still runs after zonerw exited", f, pid)
			}
		}
	}
	wantZone(t, out, "main hangs twice", map[string]string{"shop": "127.0.0.12"})
	explain(t, cfg, "shop", "timeout after 1s (command killed): waiting on the database")
}

func readPID(t *testing.T, path string) int {
	t.Helper()
	text := readFile(t, path)
	pid, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil {
		t.Fatalf("%s: %q is not a PID", path, text)
	}
	return pid
}

// running reports whether pid is a live process (not gone, not a zombie
// waiting to be reaped).
func running(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}
