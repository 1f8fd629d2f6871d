// Command zonerw keeps a domain pointed at a server that is up. See
// README.md for the commands and the configuration.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit statuses, as documented in --help.
const (
	exitOK      = 0 // success, whether or not anything changed
	exitFailure = 1 // something the user must look at
	exitUsage   = 2 // bad command line
)

// defaultConfig is where cron mode looks when -c is not given.
const defaultConfig = "/etc/zonerw/zonerw.yaml"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand; with none it does one cron-mode pass.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "check":
			return runCheck(ctx, args[1:], stdout, stderr)
		case "serve":
			return runServe(ctx, args[1:], stdout, stderr)
		case "status":
			return runStatus(ctx, args[1:], stdout, stderr)
		case "explain":
			return runExplain(ctx, args[1:], stdout, stderr)
		case "log":
			return runLog(ctx, args[1:], stdout, stderr)
		case "pin":
			return runPin(ctx, args[1:], stdout, stderr)
		case "unpin":
			return runUnpin(ctx, args[1:], stdout, stderr)
		case "drill":
			return runDrillCmd(ctx, args[1:], stdout, stderr)
		case "reload":
			return runReload(ctx, args[1:], stdout, stderr)
		case "import":
			return runImport(ctx, args[1:], stdout, stderr)
		case "dnssec":
			return runDNSSEC(ctx, args[1:], stdout, stderr)
		case "manpage":
			return runManpage(ctx, args[1:], stdout, stderr)
		case "help":
			fmt.Fprint(stdout, usageText)
			return exitOK
		}
	}
	return runOnce(ctx, args, stdout, stderr)
}

const usageText = `zonerw keeps a domain's names pointed at a server that is up.

Usage:
  zonerw [-c FILE] [-q] [--force] [--dry-run]
                                    one pass: probe, and rewrite zones whose content changed
  zonerw check [-c FILE]            validate config and templates, print what would be written
  zonerw serve [-c FILE]            the daemon: embedded nameserver, scheduled probes, NOTIFY
  zonerw status [-c FILE] [--json]  services, targets, zone serials, secondaries
  zonerw explain [-c FILE] [--json] SERVICE
                                    why a service is on its target, and what could move it next
  zonerw log [-c FILE] [--since D|TIME] [--service NAME] [--json]
                                    the audit log: every switch, event and drift, oldest first
  zonerw pin SERVICE TARGET [--for D] [--reason TEXT]
                                    hold a service on a target (planned maintenance)
  zonerw unpin SERVICE              hand a service back to its probes
  zonerw drill SERVICE [--for D] [--detach]
                                    a failover drill: move to the next target and back, report each destination
  zonerw reload [-c FILE]           make the daemon re-read its config (also SIGHUP)
  zonerw import [--from nsd|bind] [--write-keys DIR] FILE
                                    print a zonerw config translated from an nsd.conf or named.conf
  zonerw dnssec [-c FILE] ds|keys|rollover|submitted ZONE
                                    a signed zone's DS for the parent, its keys, a KSK/CSK rollover
  zonerw help                       this text

Every subcommand takes --help. Exit status: 0 success (changed or not),
1 a failure to look at (bad config or template, a zone not written, a
reload command failed), 2 a bad command line.
`

// newFlagSet makes a FlagSet whose --help prints usage to stdout and whose
// errors go to stderr.
func newFlagSet(name, synopsis string, stdout, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse runs fs.Parse holding back what it prints, then prints it once:
// the usage asked for with --help on stdout, an error and the usage on
// the flag set's output (stderr).
func parse(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	out := fs.Output()
	var held bytes.Buffer
	fs.SetOutput(&held)
	err := fs.Parse(args)
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		out = stdout
	}
	out.Write(held.Bytes())
	return err
}

// parseWithArgs parses flags followed by exactly n positional arguments.
// Flags may also follow the arguments (zonerw pin web backup --for 2h).
func parseWithArgs(fs *flag.FlagSet, args []string, stdout io.Writer, n int) (code int, rest []string, ok bool) {
	var pos []string
	for {
		err := parse(fs, args, stdout)
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, nil, false
		}
		if err != nil {
			return exitUsage, nil, false
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != n {
		fmt.Fprintf(fs.Output(), "want %d arguments, got %d\n", n, len(pos))
		fs.Usage()
		return exitUsage, nil, false
	}
	return exitOK, pos, true
}

// parseFlags parses args and turns --help into exit 0 and errors into 2.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (code int, ok bool) {
	err := parse(fs, args, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK, false
	}
	if err != nil {
		return exitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return exitUsage, false
	}
	return exitOK, true
}
