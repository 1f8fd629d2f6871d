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

	// File is the path the config was read from (not a YAML key).
	File string `yaml:"-"`
}

// Service is one name the failover keeps pointed at a live target.
type Service struct {
	Name string `yaml:"name"`
	// Default marks the service a bare @IP@ marker means. With exactly one
	// service configured it is the default without saying so.
	Default bool     `yaml:"default"`
	Check   Check    `yaml:"check"`
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
}

// Reload is the command that makes an external nameserver pick up a
// rewritten zone file, e.g. ["nsd-control", "reload", "example.com"].
type Reload struct {
	Command []string      `yaml:"command"`
	Timeout time.Duration `yaml:"timeout"`
}
