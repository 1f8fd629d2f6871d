package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// nsdAttr is one "keyword: values..." of an nsd.conf.
type nsdAttr struct {
	Key    string // without the colon
	Values []string
	Src    Src
}

// nsdKeyword is how nsd.conf spells an attribute: lower case, digits and
// '-', ending in ':' ("::1" is an address, not a keyword).
var nsdKeyword = regexp.MustCompile(`^[a-z][a-z0-9-]*:$`)

// maxIncludeDepth bounds include: chains (and loops).
const maxIncludeDepth = 16

// readNSD reads file into attributes, following include: directives
// (relative names against the directory of the top file; globs allowed).
func readNSD(file, baseDir string, depth int) ([]nsdAttr, error) {
	if depth > maxIncludeDepth {
		return nil, fmt.Errorf("%s: include: nested more than %d deep", file, maxIncludeDepth)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read nsd config: %w", err)
	}
	var out []nsdAttr
	for _, a := range lexNSD(file, string(data)) {
		if a.Key != "include" {
			out = append(out, a)
			continue
		}
		if len(a.Values) != 1 {
			return nil, fmt.Errorf("%s: include: wants one file name", a.Src)
		}
		name := a.Values[0]
		if !filepath.IsAbs(name) {
			name = filepath.Join(baseDir, name)
		}
		matches, err := filepath.Glob(name)
		if err != nil || (len(matches) == 0 && !strings.ContainsAny(name, "*?[")) {
			return nil, fmt.Errorf("%s: include: %s: no such file", a.Src, name)
		}
		for _, m := range matches {
			inc, err := readNSD(m, baseDir, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, inc...)
		}
	}
	return out, nil
}

// lexNSD cuts text into attributes: a keyword and the words after it up to
// the next keyword. '#' outside quotes starts a comment; quotes group.
func lexNSD(file, text string) []nsdAttr {
	var out []nsdAttr
	for i, line := range strings.Split(text, "\n") {
		for _, w := range nsdWords(line) {
			if !w.quoted && nsdKeyword.MatchString(w.text) {
				out = append(out, nsdAttr{Key: strings.TrimSuffix(w.text, ":"), Src: Src{File: file, Line: i + 1}})
				continue
			}
			if len(out) > 0 {
				out[len(out)-1].Values = append(out[len(out)-1].Values, w.text)
			}
		}
	}
	return out
}

type nsdWord struct {
	text   string
	quoted bool
}

// nsdWords splits one line into words, dropping its comment.
func nsdWords(line string) []nsdWord {
	var out []nsdWord
	for i := 0; i < len(line); {
		switch c := line[i]; {
		case c == '#':
			return out
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '"':
			end := strings.IndexByte(line[i+1:], '"')
			if end < 0 {
				end = len(line) - i - 1
			}
			out = append(out, nsdWord{text: line[i+1 : i+1+end], quoted: true})
			i += end + 2
		default:
			j := i
			for j < len(line) && !strings.ContainsRune(" \t\r#\"", rune(line[j])) {
				j++
			}
			out = append(out, nsdWord{text: line[i:j]})
			i = j
		}
	}
	return out
}
