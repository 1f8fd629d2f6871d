package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// maxReloadOutput caps how much of a failing reload command's output is
// kept for the error message.
const maxReloadOutput = 4 << 10

// runReload runs the zone's reload command with its timeout and returns an
// error carrying the exit status and (capped) output when it fails.
func runReload(ctx context.Context, z *Zone) error {
	ctx, cancel := context.WithTimeout(ctx, z.Reload.Timeout)
	defer cancel()
	argv := z.Reload.Command
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Its own process group, so that a timeout kills what it started too
	// (a shell's children would otherwise run on, reparented to init).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second // do not wait forever on a child that keeps the pipe open
	err := cmd.Run()
	if err == nil {
		return nil
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("timed out after %s", z.Reload.Timeout)
	}
	text := strings.TrimSpace(out.String())
	if len(text) > maxReloadOutput {
		text = text[:maxReloadOutput] + " [...]"
	}
	if text != "" {
		return fmt.Errorf("zone %s: reload command %q failed: %w: %s", z.Name, strings.Join(argv, " "), err, text)
	}
	return fmt.Errorf("zone %s: reload command %q failed: %w", z.Name, strings.Join(argv, " "), err)
}
