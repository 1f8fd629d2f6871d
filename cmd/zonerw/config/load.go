package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Load reads, decodes, defaults and validates the config at path. Relative
// paths inside it are resolved against the config file's directory. Every
// error names the file and, where one applies, the line and key path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	c.resolvePaths(filepath.Dir(path))
	if err := c.loadCAFiles(); err != nil {
		return nil, err
	}
	return c, nil
}

// Parse decodes and validates config text; file names it in errors.
// Paths are left as written.
func Parse(file string, data []byte) (*Config, error) {
	c := Config{Server: serverDefaults()}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, decodeError(file, err, nil)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: the file is empty", file)
		}
		return nil, decodeError(file, err, &root)
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		line := 0
		if err == nil {
			line = more.Line
		}
		return nil, fmt.Errorf("%s:%d: a second YAML document (after ---): zonerw reads one document, and would ignore this one", file, line)
	}
	if line := nullItem(&root); line > 0 {
		return nil, fmt.Errorf("%s:%d: an empty list item (a - with nothing after it): remove it or fill it in", file, line)
	}
	c.File = file
	c.loc = &locator{file: file, root: &root}
	applyDefaults(&c)
	if err := c.validate(c.loc); err != nil {
		return nil, err
	}
	return &c, nil
}

var (
	yamlLine     = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	unknownField = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
	wrongType    = regexp.MustCompile("^cannot unmarshal !!\\w+ `(.*)` into (\\S+)$")
)

// typeWords say what a value of a Go type is written as.
var typeWords = map[string]string{
	"time.Duration": "a duration, such as 500ms, 10s or 1h30m",
	"int":           "a whole number",
	"uint32":        "a whole number",
	"bool":          "true or false",
}

// decodeError turns yaml.v3's messages ("line 5: field foo not found in type
// config.Service", "line 4: cannot unmarshal !!str `soon` into
// time.Duration") into "zonerw.yaml:5: unknown key \"foo\"" and
// "zonerw.yaml:4: services[0].check.timeout: `soon` is not a duration, such
// as ...", one per line. root, if not nil, is the parsed file, to name the
// key of a value of the wrong type.
func decodeError(file string, err error, root *yaml.Node) error {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	var errs []error
	for _, m := range msgs {
		sm := yamlLine.FindStringSubmatch(m)
		if sm == nil {
			errs = append(errs, fmt.Errorf("%s: %s", file, m))
			continue
		}
		text := sm[2]
		if f := unknownField.FindStringSubmatch(text); f != nil {
			text = fmt.Sprintf("unknown key %q", f[1])
		} else if w := wrongType.FindStringSubmatch(text); w != nil {
			line, _ := strconv.Atoi(sm[1])
			what := typeWords[w[2]]
			if what == "" {
				what = "a " + w[2]
			}
			text = fmt.Sprintf("`%s` is not %s", w[1], what)
			if path := keyAt(root, line, w[1]); path != nil {
				text = pathString(path) + ": " + text
			}
		}
		errs = append(errs, fmt.Errorf("%s:%s: %s", file, sm[1], text))
	}
	return errors.Join(errs...)
}

// nullItem returns the line of the first list item under n that holds
// nothing (YAML's null), which decoding would drop unseen, or 0.
func nullItem(n *yaml.Node) int {
	for _, c := range n.Content {
		if n.Kind == yaml.SequenceNode && c.Kind == yaml.ScalarNode && c.Tag == "!!null" {
			return c.Line
		}
		if line := nullItem(c); line > 0 {
			return line
		}
	}
	return 0
}

// resolvePaths makes every file path absolute against dir.
func (c *Config) resolvePaths(dir string) {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	c.StateDir = abs(c.StateDir)
	for i := range c.Zones {
		c.Zones[i].Template = abs(c.Zones[i].Template)
		c.Zones[i].Output = abs(c.Zones[i].Output)
	}
	for i := range c.Keys {
		c.Keys[i].File = abs(c.Keys[i].File)
	}
	for i := range c.Providers {
		c.Providers[i].TokenFile = abs(c.Providers[i].TokenFile)
	}
	for i := range c.Services {
		c.Services[i].Check.CAFile = abs(c.Services[i].Check.CAFile)
	}
}

// StateDirOf reads only state_dir from the config at path, resolved as
// Load resolves it, for a command that must reach a running daemon even
// when the rest of the file does not load (zonerw reload after a bad
// edit: the daemon refuses it and says so in its status). ok is false
// when the file cannot be read or is not YAML at all.
func StateDirOf(path string) (dir string, ok bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", false
	}
	var c struct {
		StateDir string `yaml:"state_dir"`
	}
	if yaml.Unmarshal(data, &c) != nil {
		return "", false
	}
	if c.StateDir == "" {
		c.StateDir = DefaultStateDir
	}
	if !filepath.IsAbs(c.StateDir) {
		c.StateDir = filepath.Join(filepath.Dir(path), c.StateDir)
	}
	return c.StateDir, true
}
