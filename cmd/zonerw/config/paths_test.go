package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutputPathsCompareAsFiles: an output that is another zone's output
// or a template, however spelt (with ./ and .., absolute, through a
// symbolic link), is refused; the check compared the strings, so a zone
// could overwrite its own template's markers for good, or two zones take
// turns writing one file.
func TestOutputPathsCompareAsFiles(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "out"), 0o755)
	if err := os.Symlink(filepath.Join(dir, "out"), filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "a.tmpl"), []byte("; a template\n"), 0o644)
	head := "services:\n  - name: web\n    check: {type: tcp, port: 80}\n    targets: [{name: main, ipv4: 192.0.2.1}]\nzones:\n"
	cases := []struct{ name, zones, want string }{
		{"output is the template", "  - {name: example.com, template: a.tmpl, output: a.tmpl}\n",
			`zones[0].output: "a.tmpl" is the template of zone example.com`},
		{"output is another zone's template", "  - {name: example.com, template: a.tmpl, output: out/a.zone}\n  - {name: example.org, template: b.tmpl, output: ./out/../a.tmpl}\n",
			`zones[1].output: "./out/../a.tmpl" is the template of zone example.com`},
		{"one output spelt two ways", "  - {name: example.com, template: a.tmpl, output: out/x.zone}\n  - {name: example.org, template: a.tmpl, output: ./out/../out/x.zone}\n",
			`zones[1].output: "./out/../out/x.zone" is the output of another zone too`},
		{"absolute and relative", "  - {name: example.com, template: a.tmpl, output: out/x.zone}\n  - {name: example.org, template: a.tmpl, output: " + filepath.Join(dir, "out", "x.zone") + "}\n",
			"is the output of another zone too"},
		{"through a link", "  - {name: example.com, template: a.tmpl, output: out/x.zone}\n  - {name: example.org, template: a.tmpl, output: link/x.zone}\n",
			`zones[1].output: "link/x.zone" is the output of another zone too`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "zonerw.yaml")
			os.WriteFile(path, []byte(head+tc.zones), 0o644)
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %s", err, tc.want)
			}
		})
	}
	// Two zones with outputs of their own load.
	path := filepath.Join(dir, "zonerw.yaml")
	os.WriteFile(path, []byte(head+"  - {name: example.com, template: a.tmpl, output: out/x.zone}\n  - {name: example.org, template: a.tmpl, output: out/y.zone}\n"), 0o644)
	if _, err := Load(path); err != nil {
		t.Errorf("two outputs of their own: %v", err)
	}
}

// TestNothingIsDroppedUnseen: a list item left empty (a half-deleted
// target) and a second YAML document are errors naming their line; both
// were dropped without a word.
func TestNothingIsDroppedUnseen(t *testing.T) {
	dir := t.TempDir()
	base := "services:\n  - name: web\n    check: {type: tcp, port: 80}\n    targets:\n      - {name: main, ipv4: 192.0.2.1}\n"
	zones := "zones:\n  - {name: example.com, template: a.tmpl, output: out/a.zone}\n"
	for name, tc := range map[string]struct{ text, want string }{
		"empty target": {base + "      -\n" + zones, "zonerw.yaml:6: an empty list item (a - with nothing after it)"},
		"null target":  {base + "      - ~\n" + zones, "zonerw.yaml:6: an empty list item"},
		"second doc":   {base + zones + "---\nservices: []\n", "zonerw.yaml:8: a second YAML document (after ---)"},
	} {
		path := filepath.Join(dir, "zonerw.yaml")
		os.WriteFile(path, []byte(tc.text), 0o644)
		if _, err := Load(path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %s", name, err, tc.want)
		}
	}
	path := filepath.Join(dir, "zonerw.yaml")
	os.WriteFile(path, []byte("---\n"+base+zones), 0o644) // a leading --- is one document
	if _, err := Load(path); err != nil {
		t.Errorf("a config that starts with ---: %v", err)
	}
}
