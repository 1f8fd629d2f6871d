package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Exec runs a command per event, with the event in ZONERW_* environment
// variables (see Event.Env) and as JSON on stdin. A non-zero exit is an
// error carrying the end of the command's stderr.
type Exec struct {
	Command []string
	Timeout time.Duration // per attempt; 0 means 30s
}

var _ Sink = (*Exec)(nil)

// Name is "exec BASENAME"; the arguments may hold secrets and are left out.
func (x *Exec) Name() string {
	if len(x.Command) == 0 {
		return "exec"
	}
	return "exec " + filepath.Base(x.Command[0])
}

// Send runs the command once for ev.
func (x *Exec) Send(ctx context.Context, ev Event) error {
	if len(x.Command) == 0 {
		return fmt.Errorf("%s: no command", x.Name())
	}
	in, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", x.Name(), err)
	}
	timeout := x.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, x.Command[0], x.Command[1:]...)
	cmd.Env = append(os.Environ(), ev.Env()...)
	cmd.Stdin = bytes.NewReader(append(in, '\n'))
	var stderr tailBuffer
	cmd.Stderr = &stderr
	// Its own process group, so that a timeout kills what it started too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second // a child that keeps stderr open cannot hold us
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: did not finish (timeout %s): %w", x.Name(), timeout, ctx.Err())
		}
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return fmt.Errorf("%s: %w: %s", x.Name(), err, msg)
		}
		return fmt.Errorf("%s: %w", x.Name(), err)
	}
	return nil
}

// tailBuffer keeps the last 512 bytes written to it.
type tailBuffer struct{ b []byte }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 512 {
		t.b = t.b[len(t.b)-512:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.b) }
