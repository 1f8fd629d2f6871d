package config

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// locator turns a key path (services[0].targets[1].ipv4) into a line of the
// YAML file, so semantic errors point where the user must look.
type locator struct {
	file string
	root *yaml.Node
}

// errorf formats "file:line: path: message". path elements are map keys
// (string) and sequence indexes (int).
func (l *locator) errorf(path []any, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	p := pathString(path)
	if line := l.line(path); line > 0 {
		return fmt.Errorf("%s:%d: %s: %s", l.file, line, p, msg)
	}
	return fmt.Errorf("%s: %s: %s", l.file, p, msg)
}

// Where is "file:line: path" for a key of the config (path as for
// errorf: map keys and sequence indexes), for errors found after loading,
// such as a template file that cannot be read.
func (c *Config) Where(path ...any) string {
	if c.loc == nil {
		return pathString(path)
	}
	if line := c.loc.line(path); line > 0 {
		return fmt.Sprintf("%s:%d: %s", c.loc.file, line, pathString(path))
	}
	return c.loc.file + ": " + pathString(path)
}

// line finds the line of the deepest node on path that exists.
func (l *locator) line(path []any) int {
	n := l.root
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, step := range path {
		if n == nil {
			break
		}
		switch s := step.(type) {
		case string:
			n = mapValue(n, s)
		case int:
			if n.Kind != yaml.SequenceNode || s >= len(n.Content) {
				n = nil
			} else {
				n = n.Content[s]
			}
		}
		if n != nil {
			line = n.Line
		}
	}
	return line
}

// keyAt is the path of the scalar value on line whose text is value, or
// nil if there is none (root may be nil).
func keyAt(root *yaml.Node, line int, value string) []any {
	var walk func(n *yaml.Node, path []any) []any
	walk = func(n *yaml.Node, path []any) []any {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				if p := walk(c, path); p != nil {
					return p
				}
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				here := append(slices.Clone(path), k.Value)
				if v.Kind == yaml.ScalarNode && v.Line == line && v.Value == value {
					return here
				}
				if p := walk(v, here); p != nil {
					return p
				}
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				if c.Kind == yaml.ScalarNode && c.Line == line && c.Value == value {
					return append(slices.Clone(path), i)
				}
				if p := walk(c, append(slices.Clone(path), i)); p != nil {
					return p
				}
			}
		}
		return nil
	}
	if root == nil {
		return nil
	}
	return walk(root, nil)
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func pathString(path []any) string {
	var b strings.Builder
	for _, step := range path {
		switch s := step.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		case int:
			fmt.Fprintf(&b, "[%d]", s)
		}
	}
	return b.String()
}

// at builds a path from its parts; a small helper for readable call sites.
func at(parts ...any) []any { return parts }
