// Package config reads zonerw.yaml: strict decoding (an unknown key is an
// error with its line), defaults filled in one place (defaults.go), and
// semantic validation whose errors name the file, line and key path.
package config

import (
	"time"
)

// Config is the whole of zonerw.yaml after defaults and validation.
type Config struct {
	// StateDir holds state.json and the lock file. Relative paths are
	// resolved against the directory of the config file.
	StateDir string    `yaml:"state_dir"`
	Services []Service `yaml:"services"`
	Zones    []Zone    `yaml:"zones"`
	// Server configures `zonerw serve`, the daemon with the embedded
	// nameserver. Cron mode ignores it.
	Server Server `yaml:"server"`
	// Keys are TSIG keys, referred to by name from zones.
	Keys []Key `yaml:"keys"`

	// File is the path the config was read from (not a YAML key).
	File string `yaml:"-"`
}

// Service is one name the failover keeps pointed at a live target.
type Service struct {
	Name string `yaml:"name"`
	// Default marks the service a bare @IP@ marker means. With exactly one
	// service configured it is the default without saying so.
	Default bool  `yaml:"default"`
	Check   Check `yaml:"check"`
	// Every is the daemon's probe schedule, a cron spec ("@every 2s",
	// "*/1 * * * *"). Cron mode probes once per run instead.
	Every   string   `yaml:"every"`
	Rise    int      `yaml:"rise"`
	Fall    int      `yaml:"fall"`
	Targets []Target `yaml:"targets"`
}

// Check says how a target is probed.
type Check struct {
	Type    string        `yaml:"type"` // "http" or "tcp"
	Timeout time.Duration `yaml:"timeout"`

	// HTTP(S) checks.
	URL                string `yaml:"url"`
	Host               string `yaml:"host"`
	ExpectStatus       []int  `yaml:"expect_status"`
	BodyContains       string `yaml:"body_contains"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"`

	// TCP checks.
	Port int `yaml:"port"`
}

// Target is one place a service can point at, in priority order.
type Target struct {
	Name string `yaml:"name"`
	IPv4 string `yaml:"ipv4"`
	IPv6 string `yaml:"ipv6"`
}

// Zone is one zone file rendered from a template.
type Zone struct {
	Name         string `yaml:"name"`
	Template     string `yaml:"template"`
	Output       string `yaml:"output"`
	Serial       string `yaml:"serial"`
	AllowInclude bool   `yaml:"allow_include"`
	Reload       Reload `yaml:"reload"`

	// The daemon's embedded nameserver: who may transfer the zone (CIDRs
	// and/or TSIG key names; with both set a transfer needs both) and which
	// secondaries get a NOTIFY after each change.
	AllowTransfer []string    `yaml:"allow_transfer"`
	TransferKeys  []string    `yaml:"transfer_keys"`
	Secondaries   []Secondary `yaml:"secondaries"`
}

// Secondary is a nameserver that transfers a zone from zonerw serve.
type Secondary struct {
	Address string `yaml:"address"` // ip:port
	Key     string `yaml:"key"`     // TSIG key name, "" for none
}

// Server is the daemon's listener configuration.
type Server struct {
	// Listen lists ip:port addresses; each is served over UDP and TCP.
	Listen []string `yaml:"listen"`
}

// Key is a TSIG key kept in a BIND-style key file (what tsig-keygen
// writes), so the secret never sits in zonerw.yaml.
type Key struct {
	Name string `yaml:"name"`
	File string `yaml:"file"`
}

// Reload is the command that makes an external nameserver pick up a
// rewritten zone file, e.g. ["nsd-control", "reload", "example.com"].
type Reload struct {
	Command []string      `yaml:"command"`
	Timeout time.Duration `yaml:"timeout"`
}
