package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// zonerwBin is the binary built once for all tests in this package.
var zonerwBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "zonerw-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	zonerwBin = filepath.Join(dir, "zonerw")
	build := exec.Command("go", "build", "-o", zonerwBin, "../cmd/zonerw")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build zonerw:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// needTool returns the path of a program the test needs. In CI (CI=true)
// a missing tool fails the test, because .ci/run installs it; elsewhere the
// test is skipped with the command that installs it.
func needTool(t testing.TB, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed, but CI must run this test: .ci/run should apt-get install %s", name, pkg)
	}
	t.Skipf("%s not installed: apt-get install %s", name, pkg)
	return ""
}
