package publish

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReloadTimeoutKillsWhatItStarted: a reload command that times out
// is killed with the processes it started (its process group); a shell's
// `sleep` ran on before, reparented to init.
func TestReloadTimeoutKillsWhatItStarted(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	z := &Zone{Name: "example.com", Reload: Reload{
		Command: []string{"sh", "-c", "sleep 60 & echo $! > " + pidFile + "; wait"},
		Timeout: 200 * time.Millisecond,
	}}
	if err := runReload(context.Background(), z); err == nil || !strings.Contains(err.Error(), "timed out after 200ms") {
		t.Fatalf("error %v, want a timeout", err)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid := strings.TrimSpace(string(b))
	for deadline := time.Now().Add(10 * time.Second); ; {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			return // gone
		}
		if _, rest, ok := strings.Cut(string(stat), ") "); ok && strings.HasPrefix(rest, "Z") {
			return // ended, not reaped yet
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reload command's child %s still runs after its timeout", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
