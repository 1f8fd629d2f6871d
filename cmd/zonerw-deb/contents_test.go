package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPackagedUnit: the packaged unit is the example's, running
// /usr/bin/zonerw; an example that moved its ExecStart is refused rather
// than packaged with a wrong path.
func TestPackagedUnit(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "zonerw.service"))
	if err != nil {
		t.Fatal(err)
	}
	unit, err := packagedUnit(string(example))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(unit, "\nExecStart=/usr/bin/zonerw serve -c /etc/zonerw/zonerw.yaml\n") || strings.Contains(unit, "/usr/local/bin") {
		t.Errorf("packaged unit:\n%s", unit)
	}
	_, body, _ := strings.Cut(string(example), "[Unit]\n")
	if !strings.HasSuffix(unit, strings.ReplaceAll(body, "/usr/local/bin/", "/usr/bin/")) {
		t.Error("the packaged unit's sections differ from the example's beyond the path")
	}
	if _, err := packagedUnit(strings.ReplaceAll(string(example), "/usr/local/bin/zonerw", "/opt/zonerw")); err == nil {
		t.Error("an example without ExecStart=/usr/local/bin/zonerw was packaged")
	}
}

// TestMaintainerScripts: each script is valid sh, and postinst makes the
// zonerw user and the state directory the unit and the config name.
func TestMaintainerScripts(t *testing.T) {
	for _, name := range []string{"postinst", "prerm", "postrm"} {
		path := filepath.Join("scripts", name)
		if out, err := exec.Command("sh", "-n", path).CombinedOutput(); err != nil {
			t.Errorf("sh -n %s: %v\n%s", path, err, out)
		}
	}
	post, err := os.ReadFile(filepath.Join("scripts", "postinst"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"useradd --system", "install -d -m 0750 -o zonerw -g zonerw /var/lib/zonerw"} {
		if !strings.Contains(string(post), want) {
			t.Errorf("postinst lacks %q", want)
		}
	}
	unit, _ := os.ReadFile(filepath.Join("..", "..", "examples", "zonerw.service"))
	for _, want := range []string{"User=zonerw", "StateDirectory=zonerw", "StateDirectoryMode=0750"} {
		if !strings.Contains(string(unit), want+"\n") {
			t.Errorf("examples/zonerw.service lacks %s, which postinst matches", want)
		}
	}
	cfg, _ := os.ReadFile(filepath.Join("..", "..", "examples", "zonerw-deb.yaml"))
	if !strings.Contains(string(cfg), "\nstate_dir: /var/lib/zonerw ") {
		t.Error("examples/zonerw-deb.yaml does not keep its state in /var/lib/zonerw")
	}
}

// TestPackageContents: the package holds the binary, the unit, the man
// page, the example config and template as conffiles, and the scripts.
func TestPackageContents(t *testing.T) {
	info := packageInfo(options{root: "/r", version: "1.2.3", goarch: "amd64"}, time.Unix(0, 0), "/b/zonerw",
		staged{unit: "/s/u", man: "/s/m", postinst: "/s/pi", prerm: "/s/pr", postrm: "/s/po"})
	var got []string
	for _, c := range info.Contents {
		got = append(got, c.Destination+" "+c.Type+" "+c.FileInfo.Mode.String())
	}
	want := []string{
		"/usr/bin/zonerw  -rwxr-xr-x",
		"/usr/lib/systemd/system/zonerw.service  -rw-r--r--",
		"/usr/share/man/man1/zonerw.1.gz  -rw-r--r--",
		"/etc/zonerw/zonerw.yaml config|noreplace -rw-r--r--",
		"/etc/zonerw/example.com.zone.tmpl config|noreplace -rw-r--r--",
		"/usr/share/doc/zonerw/README.md  -rw-r--r--",
	}
	if !slices.Equal(got, want) {
		t.Errorf("contents\n got: %q\nwant: %q", got, want)
	}
	if info.Scripts.PostInstall != "/s/pi" || info.Scripts.PreRemove != "/s/pr" || info.Scripts.PostRemove != "/s/po" {
		t.Errorf("scripts %+v", info.Scripts)
	}
}
