package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
)

// manCommands are the commands the man page describes, in the order of
// usageText; "" is the cron-mode pass.
var manCommands = []string{"", "check", "serve", "status", "explain", "log", "pin", "unpin", "drill", "reload", "import", "dnssec"}

// runManpage is the hidden `zonerw manpage`: zonerw(1) in roff, made from
// the usage texts the commands print for --help, so the page says what the
// binary does. The Debian package is built with it.
func runManpage(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("zonerw manpage", "zonerw manpage", stdout, stderr)
	version := fs.String("version", "", "the version named in the page footer")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	var page bytes.Buffer
	fmt.Fprintf(&page, ".TH ZONERW 1 \"\" \"zonerw %s\" \"User Commands\"\n", roffQuote(*version))
	page.WriteString(".SH NAME\nzonerw \\- keep a domain's names pointed at a server that is up\n")
	summary, details, _ := strings.Cut(usageText, "\nUsage:\n")
	usage, trailer, _ := strings.Cut(details, "\n\n")
	page.WriteString(".SH SYNOPSIS\n")
	writePre(&page, usage)
	page.WriteString(".SH DESCRIPTION\n" + roffText(summary) + "\n")
	page.WriteString(roffText(strings.TrimSpace(trailer)) + "\n")
	page.WriteString(".SH COMMANDS\n")
	for _, c := range manCommands {
		var help bytes.Buffer
		argv := []string{"--help"}
		if c != "" {
			argv = []string{c, "--help"}
		}
		if code := run(ctx, argv, &help, &help); code != exitOK {
			fmt.Fprintf(stderr, "zonerw %s --help exited %d:\n%s", c, code, help.String())
			return exitFailure
		}
		name := "zonerw " + c
		if c == "" {
			name = "zonerw (one pass, cron mode)"
		}
		fmt.Fprintf(&page, ".SS %s\n", roffText(strings.TrimSpace(name)))
		writePre(&page, strings.TrimRight(help.String(), "\n"))
	}
	page.WriteString(".SH FILES\n.TP\n.I /etc/zonerw/zonerw.yaml\nthe config read unless \\fB\\-c\\fR names another\n" +
		".TP\n.I /var/lib/zonerw\nthe state directory of the packaged daemon (state.json, audit.log, the IXFR journal, admin.sock)\n")
	page.WriteString(".SH SEE ALSO\n.BR nsd (8),\n.BR named (8),\n.BR systemctl (1);\n" +
		"the README and docs/ of zonerw for the configuration reference.\n")
	if _, err := stdout.Write(page.Bytes()); err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	return exitOK
}

// writePre writes text as a no-fill block, lines kept as they are.
func writePre(w *bytes.Buffer, text string) {
	w.WriteString(".PP\n.nf\n.RS 2\n")
	for _, line := range strings.Split(text, "\n") {
		w.WriteString(roffLine(line) + "\n")
	}
	w.WriteString(".RE\n.fi\n")
}

// roffText is running text: lines joined, escaped.
func roffText(s string) string {
	return roffLine(strings.Join(strings.Fields(s), " "))
}

// roffLine escapes one line: backslashes, hyphens (as real minus signs,
// so options can be searched and copied), and a leading '.' or apostrophe that
// roff would take for a request.
func roffLine(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// roffQuote makes s safe inside a double-quoted macro argument.
func roffQuote(s string) string {
	return strings.ReplaceAll(roffLine(s), `"`, `\(dq`)
}
