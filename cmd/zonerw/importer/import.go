package importer

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Options says how to import.
type Options struct {
	// From is "nsd" or "bind"; "" detects it from the file's name or text.
	From string
	// KeyDir is where the key files will be written (the YAML names them
	// there); "" names them beside the config and writes none.
	KeyDir string
}

// Result is the translation.
type Result struct {
	YAML []byte
	// Keys are the key files to write, each in BIND format (what
	// tsig-keygen writes), with an absolute path under Options.KeyDir.
	// Empty without a KeyDir.
	Keys []KeyFile
	// Notes list what was not translated, in source order.
	Notes []Note
}

// KeyFile is a key file's path and contents. Data holds the secret.
type KeyFile struct {
	Name string
	Path string
	Data []byte
}

// Import reads file (an nsd.conf or named.conf, and the files it
// includes) and translates it.
func Import(file string, opt Options) (*Result, error) {
	from := opt.From
	if from == "" {
		var err error
		if from, err = detect(file); err != nil {
			return nil, err
		}
	}
	var s *setup
	var err error
	switch from {
	case "nsd":
		s, err = parseNSD(file)
	case "bind":
		s, err = parseBIND(file)
	default:
		return nil, fmt.Errorf("unknown source %q: want nsd or bind", from)
	}
	if err != nil {
		return nil, err
	}
	if len(s.Zones) == 0 {
		return nil, fmt.Errorf("%s: no primary zone to import%s", file, notesSuffix(s.Notes))
	}
	keys, keyPath, err := keyFiles(s, opt.KeyDir)
	if err != nil {
		return nil, err
	}
	y, err := yamlOut{s: s}.encode(keyPath)
	if err != nil {
		return nil, err
	}
	sortNotes(s.Notes, file)
	return &Result{YAML: y, Keys: keys, Notes: s.Notes}, nil
}

// notesSuffix lists notes after an error, so the user sees why nothing
// was imported.
func notesSuffix(notes []Note) string {
	var b strings.Builder
	for _, n := range notes {
		b.WriteString("\n  " + n.String())
	}
	return b.String()
}

var (
	bindShape = regexp.MustCompile(`(?m)^\s*(options|zone|key|acl|view|include)\s+("[^"]*"|\S+)?\s*(IN\s+)?\{?`)
	nsdShape  = regexp.MustCompile(`(?m)^\s*(server|zone|key|pattern|remote-control):\s*(#.*)?$`)
)

// detect tells an nsd.conf from a named.conf: by name, else by shape.
func detect(file string) (string, error) {
	base := strings.ToLower(filepath.Base(file))
	switch {
	case strings.HasPrefix(base, "nsd"):
		return "nsd", nil
	case strings.HasPrefix(base, "named"):
		return "bind", nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read config: %w", err)
	}
	isNSD, isBIND := nsdShape.Match(data), bindShape.Match(data) && strings.Contains(string(data), "{")
	switch {
	case isNSD && !isBIND:
		return "nsd", nil
	case isBIND && !isNSD:
		return "bind", nil
	}
	return "", fmt.Errorf("%s: cannot tell whether this is an nsd.conf or a named.conf: name it with --from nsd or --from bind", file)
}

// sortNotes puts notes in source order: the main file first, then the
// included ones by name, each by line.
func sortNotes(notes []Note, main string) {
	slices.SortStableFunc(notes, func(a, b Note) int {
		return cmp.Or(cmp.Compare(rank(a.Src.File, main), rank(b.Src.File, main)),
			cmp.Compare(a.Src.File, b.Src.File), cmp.Compare(a.Src.Line, b.Src.Line))
	})
}

func rank(file, main string) int {
	if file == main {
		return 0
	}
	return 1
}
