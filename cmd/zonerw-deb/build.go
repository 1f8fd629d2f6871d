package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/deb"
)

// options say what to build.
type options struct {
	root    string // the repository, found by build
	version string
	goarch  string
	outDir  string
}

// build compiles zonerw, makes its man page, and writes the package; it
// returns the package's path.
func build(o options) (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	o.root = root
	if o.goarch != runtime.GOARCH {
		return "", fmt.Errorf("arch %s: the man page is made by running the built binary, so build on a %s machine", o.goarch, o.goarch)
	}
	tmp, err := os.MkdirTemp("", "zonerw-deb-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "zonerw")
	if err := goBuild(root, bin, o); err != nil {
		return "", err
	}
	man, err := manPage(bin, o.version)
	if err != nil {
		return "", err
	}
	st, err := stage(root, tmp, man)
	if err != nil {
		return "", err
	}
	info := packageInfo(o, mtime(root), bin, st)
	return writeDeb(info, o)
}

// repoRoot is the directory of the main module's go.mod.
func repoRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run zonerw-deb inside the zonerw repository")
	}
	return filepath.Dir(mod), nil
}

// goBuild compiles a static zonerw for linux/goarch.
func goBuild(root, bin string, o options) error {
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./cmd/zonerw")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+o.goarch)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}
	return nil
}

// manPage runs `zonerw manpage` and gzips what it prints, as Debian keeps
// man pages.
func manPage(bin, version string) ([]byte, error) {
	var out, errOut bytes.Buffer
	cmd := exec.Command(bin, "manpage", "--version", version)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("zonerw manpage: %w\n%s", err, &errOut)
	}
	var gz bytes.Buffer
	w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if _, err := w.Write(out.Bytes()); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return gz.Bytes(), nil
}

// mtime is the time stamped on the packaged files: SOURCE_DATE_EPOCH when
// set, else the last commit's time, else now.
func mtime(root string) time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		var sec int64
		if _, err := fmt.Sscan(s, &sec); err == nil {
			return time.Unix(sec, 0).UTC()
		}
	}
	cmd := exec.Command("git", "log", "-1", "--format=%ct")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil {
		var sec int64
		if _, err := fmt.Sscan(string(out), &sec); err == nil {
			return time.Unix(sec, 0).UTC()
		}
	}
	return time.Now().UTC()
}

// writeDeb writes the package to outDir/zonerw_VERSION_ARCH.deb, through
// a temp file renamed into place.
func writeDeb(info *nfpm.Info, o options) (string, error) {
	if err := nfpm.PrepareForPackager(nfpm.WithDefaults(info), "deb"); err != nil {
		return "", fmt.Errorf("package: %w", err)
	}
	if err := os.MkdirAll(o.outDir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(o.outDir, fmt.Sprintf("zonerw_%s_%s.deb", o.version, info.Arch))
	f, err := os.CreateTemp(o.outDir, ".zonerw-deb-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	if err := deb.Default.Package(info, f); err != nil {
		f.Close()
		return "", fmt.Errorf("package: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return "", err
	}
	return path, os.Rename(f.Name(), path)
}
