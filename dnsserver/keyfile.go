package dnsserver

import (
	"fmt"
	"os"
	"strings"
	"unicode"
)

// LoadTSIGKeyFile reads a BIND-style key file, as tsig-keygen writes it:
//
//	key "name" {
//		algorithm hmac-sha256;
//		secret "base64...";
//	};
//
// The file must hold exactly one key. Errors name the file and line but
// never quote the secret.
func LoadTSIGKeyFile(path string) (Key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Key{}, fmt.Errorf("read tsig key: %w", err)
	}
	toks, err := tokenize(string(data))
	if err != nil {
		return Key{}, fmt.Errorf("%s:%w", path, err)
	}
	k, err := parseKey(toks)
	if err != nil {
		return Key{}, fmt.Errorf("%s:%w", path, err)
	}
	if _, err := newKeyring([]Key{k}); err != nil {
		return Key{}, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

type token struct {
	text   string
	line   int
	quoted bool
}

// tokenize splits a named.conf-style text into words, quoted strings and
// the punctuation { } ;, dropping #, // and /* */ comments.
func tokenize(s string) ([]token, error) {
	var toks []token
	line := 1
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
				return nil, fmt.Errorf("%d: unterminated comment", line)
			}
			line += strings.Count(s[i:i+2+end], "\n")
			i += end + 4
		case c == '{' || c == '}' || c == ';':
			toks = append(toks, token{text: string(c), line: line})
			i++
		case c == '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("%d: unterminated string", line)
			}
			toks = append(toks, token{text: s[i+1 : i+1+end], line: line, quoted: true})
			line += strings.Count(s[i+1:i+1+end], "\n")
			i += end + 2
		default:
			j := i
			for j < len(s) && !unicode.IsSpace(rune(s[j])) && !strings.ContainsRune("{};\"#", rune(s[j])) {
				j++
			}
			toks = append(toks, token{text: s[i:j], line: line})
			i = j
		}
	}
	return toks, nil
}

// parseKey reads `key NAME { algorithm ALG; secret "S"; };` from toks.
func parseKey(toks []token) (Key, error) {
	p := &keyParser{toks: toks}
	var k Key
	if err := p.expect("key"); err != nil {
		return k, err
	}
	k.Name = p.next().text
	if err := p.expect("{"); err != nil {
		return k, err
	}
	for p.peek().text != "}" {
		t := p.next()
		v := p.next()
		switch {
		case t.text == "algorithm" && !t.quoted:
			k.Algorithm = v.text
		case t.text == "secret" && !t.quoted:
			k.Secret = v.text
		default:
			return k, fmt.Errorf("%d: unexpected %s in key %s", t.line, t.describe(), k.Name)
		}
		if err := p.expect(";"); err != nil {
			return k, err
		}
	}
	p.next()
	if err := p.expect(";"); err != nil {
		return k, err
	}
	if p.pos < len(toks) {
		return k, fmt.Errorf("%d: more than one key in the file", toks[p.pos].line)
	}
	if k.Name == "" || k.Algorithm == "" || k.Secret == "" {
		return k, fmt.Errorf("%d: key %q needs a name, an algorithm and a secret", p.lastLine(), k.Name)
	}
	return k, nil
}

// describe names a token for an error; quoted strings are not shown, as
// one may be the secret.
func (t token) describe() string {
	if t.quoted {
		return "a quoted string"
	}
	return fmt.Sprintf("%q", t.text)
}

type keyParser struct {
	toks []token
	pos  int
}

func (p *keyParser) peek() token {
	if p.pos >= len(p.toks) {
		return token{text: "end of file", line: p.lastLine()}
	}
	return p.toks[p.pos]
}

func (p *keyParser) next() token {
	t := p.peek()
	p.pos++
	return t
}

func (p *keyParser) expect(want string) error {
	if t := p.next(); t.text != want || t.quoted {
		return fmt.Errorf("%d: want %q, got %s", t.line, want, t.describe())
	}
	return nil
}

func (p *keyParser) lastLine() int {
	if len(p.toks) == 0 {
		return 1
	}
	return p.toks[len(p.toks)-1].line
}
