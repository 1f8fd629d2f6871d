//go:build crashpoints

package crashpoint

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Enabled reports whether this build can be killed at a point.
const Enabled = true

// The harness's instructions, read once. This is process-wide state on
// purpose: it exists only in the test build and only to end the process.
var (
	mu     sync.Mutex
	counts = map[Point]int{}
	target Point
	at     int
	trace  *os.File
)

func init() {
	if spec := os.Getenv("ZONERW_CRASH_AT"); spec != "" {
		p, n, err := parse(spec)
		if err != nil {
			fmt.Fprintf(os.Stderr, "ZONERW_CRASH_AT=%q: %v\n", spec, err)
			os.Exit(2)
		}
		target, at = p, n
	}
	if path := os.Getenv("ZONERW_CRASH_TRACE"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(os.Stderr, "ZONERW_CRASH_TRACE: %v\n", err)
			os.Exit(2)
		}
		trace = f
	}
}

// parse reads POINT:N.
func parse(spec string) (Point, int, error) {
	name, num, ok := strings.Cut(spec, ":")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 1 {
		return "", 0, fmt.Errorf("want POINT:N with N from 1")
	}
	for _, p := range All {
		if string(p) == name {
			return p, n, nil
		}
	}
	return "", 0, fmt.Errorf("no point %q", name)
}

func hit(p Point, what string) {
	mu.Lock()
	defer mu.Unlock() // never reached after the kill
	counts[p]++
	n := counts[p]
	kill := p == target && n == at
	if trace != nil {
		prefix := ""
		if kill {
			prefix = "kill "
		}
		// One write per line (O_APPEND): a line is whole or absent.
		fmt.Fprintf(trace, "%s%s %d %s\n", prefix, p, n, what)
	}
	if kill {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is on its way; go no further
	}
}
