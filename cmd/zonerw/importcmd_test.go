package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zonerw/zonerw/cmd/zonerw/importer"
)

// TestImportCommand: zonerw import prints the translation on stdout and
// the notes on stderr, writes the key files mode 0600, runs again over
// the same files, and never overwrites a key file that differs.
func TestImportCommand(t *testing.T) {
	src := filepath.Join("importer", "testdata", "nsd", "nsd.conf")
	keys := filepath.Join(t.TempDir(), "keys")
	want, err := importer.Import(src, importer.Options{KeyDir: keys})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{"import", "--write-keys", keys, src}, &stdout, &stderr); code != exitOK {
			t.Fatalf("exit %d: %s", code, &stderr)
		}
		if !bytes.Equal(stdout.Bytes(), want.YAML) {
			t.Errorf("stdout is not the translation:\n%s", &stdout)
		}
		if !strings.Contains(stderr.String(), "zone example.info: a secondary zone") ||
			!strings.Contains(stderr.String(), "4 items not translated or translated in part") {
			t.Errorf("stderr lacks the notes:\n%s", &stderr)
		}
	}
	for _, k := range want.Keys {
		st, err := os.Stat(k.Path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", k.Path, st.Mode().Perm())
		}
		data, _ := os.ReadFile(k.Path)
		if !bytes.Equal(data, k.Data) {
			t.Errorf("%s holds %q", k.Path, data)
		}
	}

	if err := os.WriteFile(want.Keys[0].Path, []byte("other"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"import", "--write-keys", keys, src}, &stdout, &stderr)
	if code != exitFailure || !strings.Contains(stderr.String(), "exists with other contents") || stdout.Len() > 0 {
		t.Errorf("exit %d, stdout %q, stderr %s", code, &stdout, &stderr)
	}
	if data, _ := os.ReadFile(want.Keys[0].Path); string(data) != "other" {
		t.Error("the differing key file was overwritten")
	}

	for _, args := range [][]string{{"import"}, {"import", "a", "b"}, {"import", "--bogus", src}} {
		if code := run(context.Background(), args, &stdout, &stderr); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
}
