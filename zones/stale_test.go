package zones

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Only the temp files of the one file are removed: an output directory
// such as /var/lib/nsd holds other programs' files too.
func TestRemoveStaleTempsOfRemovesOnlyThatFilesTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ex[1]ample.com.zone") // glob characters are taken literally
	mine := []string{".ex[1]ample.com.zone.tmp-1", ".ex[1]ample.com.zone.tmp-22"}
	others := []string{"ex[1]ample.com.zone", ".other.zone.tmp-3", ".ex[1]ample.com.zone.tmp", "nsd.db"}
	for _, n := range append(slices.Clone(mine), others...) {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := RemoveStaleTempsOf(path)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	if !slices.Equal(removed, mine) {
		t.Errorf("removed %q, want %q", removed, mine)
	}
	left := dirNames(t, dir)
	slices.Sort(left)
	want := slices.Clone(others)
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Errorf("left %q, want %q", left, want)
	}
	if removed, err := RemoveStaleTempsOf(filepath.Join(t.TempDir(), "missing", "x.zone")); err != nil || len(removed) != 0 {
		t.Errorf("in a missing directory: %q, %v", removed, err)
	}
}

// A file set aside twice in one second keeps both damaged copies.
func TestSetAsideNeverReplacesADamagedCopy(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var got []string
	for _, content := range []string{"first", "second", "third"} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		to, err := SetAside(path, at)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, filepath.Base(to))
		if data, err := os.ReadFile(to); err != nil || string(data) != content {
			t.Errorf("%s holds %q, %v; want %q", to, data, err, content)
		}
	}
	want := []string{"state.json.damaged-20260301T120000Z", "state.json.damaged-20260301T120000Z.1", "state.json.damaged-20260301T120000Z.2"}
	if !slices.Equal(got, want) {
		t.Errorf("set aside as %q, want %q", got, want)
	}
	if _, err := os.Stat(path); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("the damaged file is still in place: %v", err)
	}
}
