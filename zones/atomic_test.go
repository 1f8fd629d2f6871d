package zones

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// dirNames lists the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFile(t *testing.T) {
	tests := []struct {
		name     string
		existing []byte // nil: no file before
		data     []byte
		perm     os.FileMode
	}{
		{name: "new file", data: []byte("zone text\n"), perm: 0o644},
		{name: "replaces a file", existing: []byte("old zone, longer than the new one\n"), data: []byte("new\n"), perm: 0o640},
		{name: "empty content", existing: []byte("old\n"), data: []byte{}, perm: 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "example.com.zone")
			if tt.existing != nil {
				if err := os.WriteFile(path, tt.existing, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := WriteFile(path, tt.data, tt.perm); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, tt.data) {
				t.Errorf("content = %q, %v; want %q", got, err, tt.data)
			}
			if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != tt.perm {
				t.Errorf("mode = %v, %v; want %v", fi.Mode().Perm(), err, tt.perm)
			}
			if names := dirNames(t, dir); !slices.Equal(names, []string{"example.com.zone"}) {
				t.Errorf("directory holds %q, want only the zone file", names)
			}
		})
	}
}

// TestWriteAtomicFailures fails a write at each point and checks that the
// old file is byte-for-byte unchanged and no temp file is left behind.
func TestWriteAtomicFailures(t *testing.T) {
	injected := errors.New("injected failure")
	newData := []byte("new zone text\n")
	tests := []struct {
		name         string
		write        func(io.Writer) error
		beforeRename func(t *testing.T) func(tmp string) error
		wantErr      string // after "write <path>: "
	}{
		{
			name: "during write",
			write: func(w io.Writer) error {
				if _, err := w.Write(newData[:4]); err != nil {
					return err
				}
				return injected
			},
			wantErr: "write temp file: injected failure",
		},
		{
			name: "between write and rename",
			write: func(w io.Writer) error {
				_, err := w.Write(newData)
				return err
			},
			beforeRename: func(t *testing.T) func(string) error {
				return func(tmp string) error {
					// the temp file is complete: the failure is the rename's alone
					if got, err := os.ReadFile(tmp); err != nil || !bytes.Equal(got, newData) {
						t.Errorf("temp file before rename = %q, %v; want %q", got, err, newData)
					}
					return injected
				}
			},
			wantErr: "injected failure",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "example.com.zone")
			old := []byte("old zone text\nline two\n")
			if err := os.WriteFile(path, old, 0o644); err != nil {
				t.Fatal(err)
			}
			var hook func(string) error
			if tt.beforeRename != nil {
				hook = tt.beforeRename(t)
			}
			err := writeAtomic(path, 0o644, tt.write, hook)
			if want := "write " + path + ": " + tt.wantErr; errText(err) != want || !errors.Is(err, injected) {
				t.Errorf("error = %q, want %q wrapping the injected error", errText(err), want)
			}
			if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, old) {
				t.Errorf("old file now %q, %v; want it unchanged: %q", got, err, old)
			}
			if names := dirNames(t, dir); !slices.Equal(names, []string{"example.com.zone"}) {
				t.Errorf("directory holds %q, want only the old zone file", names)
			}
		})
	}
}

func TestWriteFileMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "example.com.zone")
	err := WriteFile(path, []byte("x"), 0o644)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("error = %v, want one wrapping fs.ErrNotExist", err)
	}
	if want := "write " + path + ": create temp file: "; !strings.HasPrefix(errText(err), want) {
		t.Errorf("error = %q, want it to start %q", errText(err), want)
	}
}

// TestReplaceFileFollowsLinksAndKeepsOwnerAndMode: a zone file reached
// through a symbolic link is replaced where the link leads (the link
// stays a link), and keeps its mode and, as root, its owner and group; a
// link to a file not made yet makes it there. It used to replace the link
// with a file of its own, mode 0644, owned by whoever ran zonerw.
func TestReplaceFileFollowsLinksAndKeepsOwnerAndMode(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "real"), 0o755)
	target := filepath.Join(dir, "real", "example.com.zone")
	if err := os.WriteFile(target, []byte("old\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	os.Chmod(target, 0o640)
	asRoot := os.Geteuid() == 0
	if asRoot {
		if err := os.Chown(target, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(dir, "example.com.zone")
	if err := os.Symlink("real/example.com.zone", link); err != nil {
		t.Fatal(err)
	}
	if err := ReplaceFile(link, []byte("new\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if b, _ := os.ReadFile(target); string(b) != "new\n" {
		t.Fatalf("the link's target holds %q", b)
	}
	fi, err := os.Stat(target)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want the file's 0640", fi.Mode().Perm())
	}
	if st := fi.Sys().(*syscall.Stat_t); asRoot && (st.Uid != 65534 || st.Gid != 65534) {
		t.Errorf("owner %d:%d, want the file's 65534:65534", st.Uid, st.Gid)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*", ".*.tmp-*")); len(left) != 0 {
		t.Errorf("temp files left: %v", left)
	}

	// A link to a file not there yet: the file is made where it leads.
	later := filepath.Join(dir, "example.org.zone")
	if err := os.Symlink(filepath.Join(dir, "real", "example.org.zone"), later); err != nil {
		t.Fatal(err)
	}
	if err := ReplaceFile(later, []byte("first\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "real", "example.org.zone")); err != nil || string(b) != "first\n" {
		t.Errorf("the new file behind the link: %q %v", b, err)
	}
	if got := ResolvedPath(later); got != filepath.Join(dir, "real", "example.org.zone") {
		t.Errorf("ResolvedPath = %s", got)
	}
}
