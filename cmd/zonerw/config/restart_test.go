package config

import (
	"os"
	"path/filepath"
	"testing"
)

// A change of listen is told apart from one of the nameserver's limits;
// either needs a restart.
func TestRestartNeeded(t *testing.T) {
	a := Server{Listen: []string{"127.0.0.1:53"}, RateLimit: 200}
	b := a
	b.Listen = []string{"127.0.0.1:54"}
	if serverLimitsChanged(a, b) {
		t.Errorf("a change of listen counts as one of the limits")
	}
	b.RateLimit = 100
	if !serverLimitsChanged(a, b) {
		t.Errorf("rate_limit changed unnoticed")
	}
	if got := RestartNeeded(&Config{Server: a}, &Config{Server: b}); got != "server.listen" {
		t.Errorf("listen and rate_limit changed: %q, want server.listen first", got)
	}
	b.Listen = a.Listen
	if got := RestartNeeded(&Config{Server: a}, &Config{Server: b}); got != "the nameserver's limits under server" {
		t.Errorf("rate_limit changed: %q", got)
	}
	if got := RestartNeeded(&Config{Server: a}, &Config{Server: a}); got != "" {
		t.Errorf("nothing changed: %q", got)
	}
}

// A zone's setting that needs a restart is named with the zone.
func TestRestartNeededNamesTheZoneSetting(t *testing.T) {
	zone := Zone{Name: "example.com", Template: "a.tmpl"}
	changed := func(f func(*Zone)) *Config {
		z := zone
		f(&z)
		return &Config{Zones: []Zone{z}}
	}
	old := &Config{Zones: []Zone{zone}}
	for _, tt := range []struct {
		change func(*Zone)
		want   string
	}{
		{func(z *Zone) { z.Template = "b.tmpl" }, ""},
		{func(z *Zone) { z.Output = "out.zone" }, "zones[0] (example.com) output"},
		{func(z *Zone) { z.Secondaries = []Secondary{{Address: "127.0.0.2:53"}} }, "zones[0] (example.com) secondaries"},
	} {
		if got := RestartNeeded(old, changed(tt.change)); got != tt.want {
			t.Errorf("RestartNeeded = %q, want %q", got, tt.want)
		}
	}
}

// StateDirOf finds state_dir in a file the rest of which does not load,
// resolved against the file's directory as Load does; the default when
// it is not set.
func TestStateDirOfABrokenConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "zonerw.yaml")
	for _, tt := range []struct{ text, want string }{
		{"state_dir: st\nservices:\n  - name: web\n    check: {timeout: 1sec}\n", filepath.Join(dir, "st")},
		{"state_dir: /var/lib/zonerw\nbogus: [\n", ""},
		{"services: []\n", filepath.Join(dir, DefaultStateDir)},
	} {
		if err := os.WriteFile(path, []byte(tt.text), 0o600); err != nil {
			t.Fatal(err)
		}
		got, ok := StateDirOf(path)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("StateDirOf(%q) = %q, %v; want %q", tt.text, got, ok, tt.want)
		}
	}
}
