package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestManpageFromHelp: zonerw(1) holds every command of the usage text,
// and each command's --help output line for line, and groff reads it
// without a warning.
func TestManpageFromHelp(t *testing.T) {
	var page, stderr bytes.Buffer
	if code := run(context.Background(), []string{"manpage", "--version", "1.2.3"}, &page, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, &stderr)
	}
	for _, m := range regexp.MustCompile(`(?m)^  zonerw ([a-z]+)`).FindAllStringSubmatch(usageText, -1) {
		if c := m[1]; c != "help" && !slices.Contains(manCommands, c) {
			t.Errorf("usage lists zonerw %s, the man page does not", c)
		}
	}
	for _, c := range manCommands {
		var help bytes.Buffer
		argv := []string{"--help"}
		if c != "" {
			argv = []string{c, "--help"}
		}
		run(context.Background(), argv, &help, &help)
		if help.Len() == 0 {
			t.Errorf("zonerw %s --help printed nothing", c)
		}
		for _, line := range strings.Split(strings.TrimRight(help.String(), "\n"), "\n") {
			if !strings.Contains(page.String(), roffLine(line)+"\n") {
				t.Errorf("zonerw %s --help line %q is not in the page", c, line)
			}
		}
	}
	if !strings.Contains(page.String(), `"zonerw 1.2.3"`) {
		t.Error("the page does not name the version")
	}

	groff, err := exec.LookPath("groff")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("groff is not installed, but CI must run this test: .ci/run should apt-get install groff-base")
		}
		t.Skip("groff not installed: apt-get install groff-base")
	}
	cmd := exec.Command(groff, "-man", "-ww", "-z")
	cmd.Stdin = &page
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("groff: %v\n%s", err, out)
	}
}
