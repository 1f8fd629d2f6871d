// Command zonerw-deb builds the Debian package of zonerw, from the
// repository root:
//
//	go run ./cmd/zonerw-deb [-version 0.1.0] [-arch amd64] [-o DIR]
//
// It writes DIR/zonerw_VERSION_ARCH.deb holding /usr/bin/zonerw, the
// systemd unit (examples/zonerw.service with the packaged path), an
// example /etc/zonerw/zonerw.yaml (examples/zonerw-deb.yaml) and its
// template, the man page zonerw(1) made from the commands' own --help,
// and maintainer scripts that create the zonerw system user and
// /var/lib/zonerw.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("zonerw-deb", flag.ContinueOnError)
	fs.SetOutput(stderr)
	version := fs.String("version", "0.1.0", "the package version (Debian syntax)")
	arch := fs.String("arch", runtime.GOARCH, "the Go architecture to build for; the man page needs it to run here")
	out := fs.String("o", ".", "the directory to write the package to")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "zonerw-deb: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	path, err := build(options{version: *version, goarch: *arch, outDir: *out})
	if err != nil {
		fmt.Fprintln(stderr, "zonerw-deb:", err)
		return 1
	}
	fmt.Fprintln(stdout, path)
	return 0
}
