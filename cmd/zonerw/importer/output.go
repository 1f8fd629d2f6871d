package importer

import (
	"bytes"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// stateDir is where the Debian package and examples/zonerw.service keep
// the daemon's state.
const stateDir = "/var/lib/zonerw"

// yamlOut builds the config as a YAML node tree, with comments naming the
// source lines.
type yamlOut struct {
	s    *setup
	base string // the source file's base name, for comments
}

// mapping is a YAML mapping under construction.
type mapping struct{ n *yaml.Node }

func newMapping() mapping { return mapping{&yaml.Node{Kind: yaml.MappingNode}} }

// set adds key: value, with comment at the end of the key's line.
func (m mapping) set(key string, value *yaml.Node, comment string) {
	k := &yaml.Node{Kind: yaml.ScalarNode, Value: key}
	if value.Kind == yaml.ScalarNode || value.Style == yaml.FlowStyle {
		value.LineComment = comment
	} else {
		k.LineComment = comment
	}
	m.n.Content = append(m.n.Content, k, value)
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }

// quoted is a string YAML would otherwise read as something else
// ("[::]:53" as a sequence start), always quoted.
func quoted(v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Value: v, Style: yaml.DoubleQuotedStyle}
}

func sequence(flow bool, items ...*yaml.Node) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Content: items}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

// src names a source line in a comment: "nsd.conf:12".
func (o yamlOut) src(s Src) string {
	return fmt.Sprintf("%s:%d", filepath.Base(s.File), s.Line)
}

// encode writes the document.
func (o yamlOut) encode(keyFile func(Key) string) ([]byte, error) {
	root := newMapping()
	root.n.HeadComment = o.header()
	root.set("state_dir", scalar(stateDir), "")
	root.set("server", o.server(), "")
	if len(o.s.Keys) > 0 {
		root.set("keys", o.keys(keyFile), "TSIG keys, one BIND-style file each (mode 0600)")
	}
	root.set("zones", o.zones(), "")
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root.n}}); err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	return buf.Bytes(), nil
}

func (o yamlOut) header() string {
	kind := map[string]string{"nsd": "NSD", "bind": "BIND"}[o.s.Source]
	return fmt.Sprintf("zonerw config imported from %s (%s) by zonerw import.\n"+
		"Comments name the source lines. What could not be translated was listed\n"+
		"when it ran; review it, then: zonerw check -c THIS_FILE", o.s.File, kind)
}

// server is the listeners; with none named the source server listened on
// every address, as "[::]:53" does (IPv4 and IPv6).
func (o yamlOut) server() *yaml.Node {
	m := newMapping()
	var items []*yaml.Node
	var srcs []string
	for _, l := range o.s.Listen {
		items = append(items, quoted(l.Addr.String()))
		srcs = append(srcs, o.src(l.Src))
	}
	comment := strings.Join(dedup(srcs), ", ")
	if len(items) == 0 {
		items = []*yaml.Node{quoted(netip.AddrPortFrom(netip.IPv6Unspecified(), 53).String())}
		comment = "every address, IPv4 and IPv6, as " + filepath.Base(o.s.File) + " left it"
	}
	m.set("listen", sequence(true, items...), comment)
	return m.n
}

func (o yamlOut) keys(keyFile func(Key) string) *yaml.Node {
	var items []*yaml.Node
	for _, k := range o.s.Keys {
		m := newMapping()
		m.n.Style = yaml.FlowStyle
		m.set("name", scalar(k.Name), "")
		m.set("file", scalar(keyFile(k)), "")
		m.n.LineComment = o.src(k.Src)
		items = append(items, m.n)
	}
	return sequence(false, items...)
}

func (o yamlOut) zones() *yaml.Node {
	var items []*yaml.Node
	for _, z := range o.s.Zones {
		items = append(items, o.zone(z))
	}
	return sequence(false, items...)
}

func (o yamlOut) zone(z zone) *yaml.Node {
	m := newMapping()
	m.set("name", scalar(z.Name), o.src(z.Src))
	m.set("template", scalar(z.File), o.src(z.FileSrc)+": its zone file, served as written")
	acl := expressACL(o.s, z, o.s.Source == "bind")
	if len(acl.Entries) > 0 {
		m.set("allow_transfer", o.allowTransfer(acl), o.aclComment(acl))
	}
	if len(z.Notify) > 0 {
		var items []*yaml.Node
		for _, nt := range z.Notify {
			s := newMapping()
			s.n.Style = yaml.FlowStyle
			s.set("address", quoted(nt.Addr.String()), "")
			if nt.Key != "" {
				s.set("key", scalar(nt.Key), "")
			}
			s.n.LineComment = o.src(nt.Src)
			items = append(items, s.n)
		}
		m.set("secondaries", sequence(false, items...), "NOTIFYed after each change")
	}
	return m.n
}

// allowTransfer writes the entries: addresses alone as one line, as
// before entries had keys; with keys one entry a line, each naming its
// source line.
func (o yamlOut) allowTransfer(acl transferACL) *yaml.Node {
	var items []*yaml.Node
	for _, e := range acl.Entries {
		if !acl.keyed() {
			items = append(items, quoted(prefixText(e.From)))
			continue
		}
		if e.Key == "" {
			n := quoted(prefixText(e.From))
			n.LineComment = o.src(e.Src)
			items = append(items, n)
			continue
		}
		m := newMapping()
		m.n.Style = yaml.FlowStyle
		if e.From.IsValid() {
			m.set("from", quoted(prefixText(e.From)), "")
		}
		m.set("key", scalar(e.Key), "")
		m.n.LineComment = o.src(e.Src)
		items = append(items, m.n)
	}
	return sequence(!acl.keyed(), items...)
}

// aclComment names the source lines of the entries; where each entry
// names its own, only those of the deny rules taken out of them.
func (o yamlOut) aclComment(acl transferACL) string {
	if !acl.keyed() {
		return o.srcList(acl.Srcs)
	}
	var denies []Src
	for _, s := range acl.Srcs {
		if !slices.ContainsFunc(acl.Entries, func(e entry) bool { return e.Src == s }) {
			denies = append(denies, s)
		}
	}
	if len(denies) == 0 {
		return ""
	}
	return "less what " + o.srcList(denies) + " refuses"
}

// srcList names source lines for a comment.
func (o yamlOut) srcList(srcs []Src) string {
	var out []string
	for _, s := range srcs {
		out = append(out, o.src(s))
	}
	return strings.Join(dedup(out), ", ")
}

// dedup drops repeats, keeping the first of each.
func dedup(ss []string) []string {
	var out []string
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
