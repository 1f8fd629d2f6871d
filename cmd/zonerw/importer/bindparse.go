package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
)

// btok is one token of a named.conf: a word, a quoted string, or one of
// { } ; !.
type btok struct {
	text   string
	quoted bool
	src    Src
}

func (t btok) is(s string) bool { return !t.quoted && t.text == s }

// stmt is one named.conf statement: words, an optional { block }, ';'.
// Address match list elements are statements too ("10.0.0.0/8;",
// "key k;", "!{ ... };").
type stmt struct {
	Words    []btok
	Block    []stmt
	HasBlock bool
	Src      Src
}

// word returns the i-th word's text, or "".
func (s stmt) word(i int) string {
	if i < len(s.Words) {
		return s.Words[i].text
	}
	return ""
}

// readBIND parses file and its include statements (relative names against
// baseDir).
func readBIND(file, baseDir string, depth int) ([]stmt, error) {
	if depth > maxIncludeDepth {
		return nil, fmt.Errorf("%s: include nested more than %d deep", file, maxIncludeDepth)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read bind config: %w", err)
	}
	toks, err := lexBIND(file, string(data))
	if err != nil {
		return nil, err
	}
	p := &bindParser{toks: toks, file: file}
	stmts, err := p.list(false)
	if err != nil {
		return nil, err
	}
	var out []stmt
	for _, s := range stmts {
		if s.word(0) != "include" || s.HasBlock {
			out = append(out, s)
			continue
		}
		if len(s.Words) != 2 {
			return nil, fmt.Errorf("%s: include wants one file name", s.Src)
		}
		name := s.Words[1].text
		if !filepath.IsAbs(name) {
			name = filepath.Join(baseDir, name)
		}
		inc, err := readBIND(name, baseDir, depth+1)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Src, err)
		}
		out = append(out, inc...)
	}
	return out, nil
}

// lexBIND splits named.conf text into tokens, dropping #, // and /* */
// comments.
func lexBIND(file, s string) ([]btok, error) {
	var toks []btok
	line := 1
	at := func() Src { return Src{File: file, Line: line} }
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\n':
			line++
			i++
		case unicode.IsSpace(rune(c)):
			i++
		case c == '#' || strings.HasPrefix(s[i:], "//"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("%s: unterminated comment", at())
			}
			line += strings.Count(s[i:i+2+end], "\n")
			i += end + 4
		case strings.ContainsRune("{};!", rune(c)):
			toks = append(toks, btok{text: string(c), src: at()})
			i++
		case c == '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("%s: unterminated string", at())
			}
			toks = append(toks, btok{text: s[i+1 : i+1+end], quoted: true, src: at()})
			line += strings.Count(s[i+1:i+1+end], "\n")
			i += end + 2
		default:
			j := i
			for j < len(s) && !unicode.IsSpace(rune(s[j])) && !strings.ContainsRune("{};!\"#", rune(s[j])) && !strings.HasPrefix(s[j:], "//") && !strings.HasPrefix(s[j:], "/*") {
				j++
			}
			toks = append(toks, btok{text: s[i:j], src: at()})
			i = j
		}
	}
	return toks, nil
}

type bindParser struct {
	toks []btok
	pos  int
	file string
}

func (p *bindParser) end() Src {
	if len(p.toks) == 0 {
		return Src{File: p.file, Line: 1}
	}
	return p.toks[len(p.toks)-1].src
}

// list reads statements up to '}' (inBlock) or the end of the tokens.
func (p *bindParser) list(inBlock bool) ([]stmt, error) {
	var out []stmt
	for {
		if p.pos >= len(p.toks) {
			if inBlock {
				return nil, fmt.Errorf("%s: missing '}'", p.end())
			}
			return out, nil
		}
		if p.toks[p.pos].is("}") {
			if !inBlock {
				return nil, fmt.Errorf("%s: '}' without '{'", p.toks[p.pos].src)
			}
			p.pos++
			return out, nil
		}
		s, err := p.stmt()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
}

// stmt reads words, an optional block, and the closing ';'.
func (p *bindParser) stmt() (stmt, error) {
	s := stmt{Src: p.toks[p.pos].src}
	for p.pos < len(p.toks) {
		t := p.toks[p.pos]
		p.pos++
		switch {
		case t.is(";"):
			return s, nil
		case t.is("{"):
			if s.HasBlock {
				return s, fmt.Errorf("%s: a second '{' in one statement", t.src)
			}
			block, err := p.list(true)
			if err != nil {
				return s, err
			}
			s.Block, s.HasBlock = block, true
		case t.is("}"):
			return s, fmt.Errorf("%s: missing ';' before '}'", t.src)
		default:
			if s.HasBlock {
				return s, fmt.Errorf("%s: missing ';' after '}'", t.src)
			}
			s.Words = append(s.Words, t)
		}
	}
	return s, fmt.Errorf("%s: missing ';' at the end of the file", p.end())
}
