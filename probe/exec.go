package probe

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// ExecKillGrace is how long an Exec check waits, once its context is done
// and the command's process group has been killed, for the command's
// output to close. A check returns at most this long after its deadline.
const ExecKillGrace = 200 * time.Millisecond

// maxExecOutput caps what is kept of a command's stdout and stderr each.
const maxExecOutput = 64 << 10

// Exec checks a target by running an operator's command, without a shell:
// it is up when the command exits 0 before the deadline. The command gets
// the probed address in ZONERW_ADDR, the target's name in ZONERW_TARGET,
// the service's in ZONERW_SERVICE and, when set, the source address in
// ZONERW_SOURCE, on top of zonerw's own environment. The first line of its
// stdout is the Reason (for a failure with no stdout, the first line of
// stderr). At the deadline the command and every process it started in
// its process group are killed.
type Exec struct {
	// Command is the program and its arguments; Command[0] is looked up in
	// PATH when it has no slash.
	Command []string
	// Service and Target name what is checked, for the environment.
	Service, Target string
	// Source is passed on in ZONERW_SOURCE when valid.
	Source netip.Addr
}

// Validate checks the settings at config time; the error is a *FieldError.
func (e *Exec) Validate() error {
	if len(e.Command) == 0 || e.Command[0] == "" {
		return &FieldError{Field: "Command", Err: errors.New("an exec check needs a command (its first element is the program)")}
	}
	return nil
}

// Probe runs the command for addr. See Prober for the contract.
func (e *Exec) Probe(ctx context.Context, addr netip.Addr) Result {
	start := time.Now()
	done := func(ok bool, reason string) Result {
		return Result{OK: ok, Latency: time.Since(start), Reason: reason}
	}
	if err := e.Validate(); err != nil {
		return done(false, "invalid probe: "+err.Error())
	}
	if !addr.IsValid() {
		return done(false, "invalid probe: no address to probe")
	}
	var stdout, stderr capped
	cmd := e.command(ctx, addr)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err == nil {
		return done(true, firstLine(stdout.buf.String(), "exit 0"))
	}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return done(false, failureReason(ctx, start, ctx.Err())+" (command killed)"+besides(&stdout, &stderr))
	case errors.As(err, &ee):
		return done(false, ee.ProcessState.String()+besides(&stdout, &stderr))
	}
	return done(false, "cannot run the command: "+err.Error())
}

// command builds the command: its own process group (so a timeout kills
// what it started too) and the ZONERW_ variables.
func (e *Exec) command(ctx context.Context, addr netip.Addr) *exec.Cmd {
	cmd := exec.CommandContext(ctx, e.Command[0], e.Command[1:]...)
	cmd.Env = append(os.Environ(),
		"ZONERW_ADDR="+addr.Unmap().String(),
		"ZONERW_TARGET="+e.Target,
		"ZONERW_SERVICE="+e.Service,
	)
	if e.Source.IsValid() {
		cmd.Env = append(cmd.Env, "ZONERW_SOURCE="+e.Source.Unmap().String())
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = ExecKillGrace
	return cmd
}

// besides is ": first line" of what the command said, stdout first.
func besides(stdout, stderr *capped) string {
	line := firstLine(stdout.buf.String(), "")
	if line == "" {
		line = firstLine(stderr.buf.String(), "")
	}
	if line == "" {
		return ""
	}
	return ": " + line
}

// firstLine is the first non-blank line of out, printable, or otherwise.
func firstLine(out, otherwise string) string {
	for line := range strings.Lines(out) {
		if line = strings.TrimSpace(line); line != "" {
			return printable(line)
		}
	}
	return otherwise
}

// capped keeps the first maxExecOutput bytes written to it and drops the
// rest, so a chatty command can neither block nor fill memory.
type capped struct{ buf bytes.Buffer }

func (c *capped) Write(p []byte) (int, error) {
	if room := maxExecOutput - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
