package importer

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/dnsserver"
)

var update = flag.Bool("update", false, "rewrite the golden .yaml and .notes files")

// testSources are the real config files the tests import, each with its
// checker and the golden output beside it.
var testSources = []struct {
	file    string // under testdata
	checker string // the daemon's own config checker
	pkg     string // the Debian package that has it
}{
	{file: "nsd/nsd.conf", checker: "nsd-checkconf", pkg: "nsd"},
	{file: "bind/named.conf", checker: "named-checkconf", pkg: "bind9-utils"},
}

// TestSourcesAreReal: the daemons' own checkers accept every source
// config the tests import, so the tests read what NSD and BIND read.
func TestSourcesAreReal(t *testing.T) {
	for _, src := range testSources {
		t.Run(src.file, func(t *testing.T) {
			bin := needTool(t, src.checker, src.pkg)
			cmd := exec.Command(bin, filepath.Base(src.file))
			cmd.Dir = filepath.Join("testdata", filepath.Dir(src.file))
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s %s: %v\n%s", src.checker, src.file, err, out)
			}
		})
	}
}

// TestImportGolden: each source translates to the YAML and the notes
// kept beside it (review a change, then go test -run Golden -update).
func TestImportGolden(t *testing.T) {
	for _, src := range testSources {
		t.Run(src.file, func(t *testing.T) {
			file := filepath.Join("testdata", src.file)
			r, err := Import(file, Options{KeyDir: "/etc/zonerw/keys"})
			if err != nil {
				t.Fatal(err)
			}
			var notes bytes.Buffer
			for _, n := range r.Notes {
				notes.WriteString(n.String() + "\n")
			}
			stem := strings.TrimSuffix(file, filepath.Ext(file))
			golden(t, stem+".yaml", r.YAML)
			golden(t, stem+".notes", notes.Bytes())
			decodeStrict(t, r.YAML)
			for _, k := range r.Keys {
				if bytes.Contains(r.YAML, k.Data[bytes.Index(k.Data, []byte("secret")):]) {
					t.Errorf("the YAML holds key %s's secret", k.Name)
				}
			}
		})
	}
}

// golden compares got with the file, or rewrites it under -update.
func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs\n--- got ---\n%s\n--- want ---\n%s", file, got, want)
	}
}

// decodeStrict decodes the YAML into zonerw's config type with unknown
// keys refused, as zonerw check does before it validates.
func decodeStrict(t *testing.T, y []byte) config.Config {
	t.Helper()
	var c config.Config
	dec := yaml.NewDecoder(bytes.NewReader(y))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("the YAML does not decode as a zonerw config: %v\n%s", err, y)
	}
	return c
}

// TestImportKeyFiles: with a key directory every key becomes a file that
// zonerw's key loader reads back to the source's name, algorithm and
// secret; without one, none is made and each key is noted.
func TestImportKeyFiles(t *testing.T) {
	dir := t.TempDir()
	r, err := Import(filepath.Join("testdata", "bind", "named.conf"), Options{KeyDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Keys) != 2 {
		t.Fatalf("%d key files, want 2", len(r.Keys))
	}
	c := decodeStrict(t, r.YAML)
	for i, kf := range r.Keys {
		if filepath.Dir(kf.Path) != dir || c.Keys[i].File != kf.Path || c.Keys[i].Name != kf.Name {
			t.Errorf("key %s at %s, the config says %+v", kf.Name, kf.Path, c.Keys[i])
		}
		if err := os.WriteFile(kf.Path, kf.Data, 0o600); err != nil {
			t.Fatal(err)
		}
		k, err := dnsserver.LoadTSIGKeyFile(kf.Path)
		if err != nil {
			t.Fatal(err)
		}
		if k.Name != kf.Name || k.Algorithm == "" || !strings.Contains(string(kf.Data), k.Secret) {
			t.Errorf("key file %s reads back as %v", kf.Path, k)
		}
	}

	r, err = Import(filepath.Join("testdata", "bind", "named.conf"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Keys) != 0 {
		t.Errorf("key files made without a key directory: %v", r.Keys)
	}
	c = decodeStrict(t, r.YAML)
	if c.Keys[0].File != "transfer.key" {
		t.Errorf("without a key directory the config names %q, want transfer.key beside it", c.Keys[0].File)
	}
	var noted int
	for _, n := range r.Notes {
		if strings.Contains(n.Text, "not written") {
			noted++
		}
	}
	if noted != 2 {
		t.Errorf("%d notes about unwritten keys, want 2: %v", noted, r.Notes)
	}
}

// needTool returns a checker's path; in CI a missing one fails the test,
// elsewhere it is skipped with the package that has it.
func needTool(t *testing.T, name, pkg string) string {
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
