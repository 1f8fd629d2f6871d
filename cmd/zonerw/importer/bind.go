package importer

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// bindReader turns named.conf statements into the setup.
type bindReader struct {
	s         *setup
	dir       string          // options { directory }, against which zone files resolve
	acls      map[string]stmt // acl NAME { ... }
	servers   map[string]stmt // primaries/masters/remote-servers NAME { ... }
	options   stmt            // options { ... }, the zone defaults
	zoneStmts []viewZone
}

// viewZone is a zone statement and the view it sits in ("" for none).
type viewZone struct {
	stmt stmt
	view string
}

// parseBIND reads a named.conf (and its includes) into a setup.
func parseBIND(file string) (*setup, error) {
	stmts, err := readBIND(file, filepath.Dir(file), 0)
	if err != nil {
		return nil, err
	}
	b := &bindReader{
		s:       &setup{Source: "bind", File: file},
		dir:     filepath.Dir(file),
		acls:    map[string]stmt{},
		servers: map[string]stmt{},
	}
	for _, st := range stmts {
		if err := b.top(st); err != nil {
			return nil, err
		}
	}
	b.listen()
	for _, vz := range b.zoneStmts {
		if err := b.zone(vz); err != nil {
			return nil, err
		}
	}
	return b.s, nil
}

// top reads one top-level statement.
func (b *bindReader) top(st stmt) error {
	switch name := st.word(0); name {
	case "options":
		b.options = st
		for _, o := range st.Block {
			if o.word(0) == "directory" && len(o.Words) == 2 {
				b.dir = o.Words[1].text
			}
		}
		b.noteOptions(st)
	case "key":
		k, err := bindKey(st)
		if err != nil {
			return err
		}
		b.s.Keys = append(b.s.Keys, k)
	case "acl":
		b.acls[st.word(1)] = st
	case "primaries", "masters", "remote-servers":
		b.servers[st.word(1)] = st
	case "zone":
		b.zoneStmts = append(b.zoneStmts, viewZone{stmt: st})
	case "view":
		b.s.note(st.Src, "view %s: views not translated; its zones are imported as if outside it", st.word(1))
		for _, in := range st.Block {
			switch in.word(0) {
			case "zone":
				b.zoneStmts = append(b.zoneStmts, viewZone{stmt: in, view: st.word(1)})
			case "key":
				k, err := bindKey(in)
				if err != nil {
					return err
				}
				b.s.Keys = append(b.s.Keys, k)
			}
		}
	default:
		b.s.note(st.Src, "%s: statement not translated (zonerw has no counterpart)", name)
	}
	return nil
}

// zoneOptions are the zone options the translation reads; others are noted.
var zoneOptions = []string{"type", "file", "notify", "also-notify", "allow-transfer"}

// noteOptions lists the options { } settings left behind, in one note.
func (b *bindReader) noteOptions(st stmt) {
	var skipped []string
	for _, o := range st.Block {
		name := o.word(0)
		if slices.Contains(zoneOptions, name) || slices.Contains([]string{"directory", "listen-on", "listen-on-v6"}, name) {
			continue
		}
		if !slices.Contains(skipped, name) {
			skipped = append(skipped, name)
		}
	}
	if len(skipped) > 0 {
		b.s.note(st.Src, "options: not translated (they tune BIND itself): %s", strings.Join(skipped, ", "))
	}
}

// bindKey reads key NAME { algorithm A; secret "S"; };
func bindKey(st stmt) (Key, error) {
	k := Key{Name: strings.TrimSuffix(st.word(1), "."), Src: st.Src}
	for _, o := range st.Block {
		switch o.word(0) {
		case "algorithm":
			k.Algorithm = o.word(1)
		case "secret":
			k.Secret = o.word(1)
		default:
			return k, fmt.Errorf("%s: key %s: unknown option %s", o.Src, k.Name, o.word(0))
		}
	}
	if k.Name == "" || k.Algorithm == "" || k.Secret == "" || len(st.Words) != 2 {
		return k, fmt.Errorf("%s: key: needs a name, an algorithm and a secret", st.Src)
	}
	return k, nil
}

// listen reads options { listen-on [port N] { ... }; listen-on-v6 ... }.
// Only plain addresses translate; BIND's defaults (every IPv4 address,
// and every IPv6 one) are left to the "every address" default.
func (b *bindReader) listen() {
	for _, o := range b.options.Block {
		if o.word(0) != "listen-on" && o.word(0) != "listen-on-v6" {
			continue
		}
		port, rest := uint16(53), o.Words[1:]
		if len(rest) >= 2 && rest[0].text == "port" {
			if p, err := strconv.ParseUint(rest[1].text, 10, 16); err == nil {
				port = uint16(p)
			}
			rest = rest[2:]
		}
		if len(rest) > 0 {
			b.s.note(o.Src, "%s: %s not translated", o.word(0), rest[0].text)
		}
		for _, el := range o.Block {
			a, err := netip.ParseAddr(el.word(0))
			if len(el.Words) != 1 || err != nil {
				b.s.note(el.Src, "%s: %s not translated: zonerw listens on addresses it is given one by one", o.word(0), wordsText(el))
				continue
			}
			b.s.Listen = append(b.s.Listen, listen{Addr: netip.AddrPortFrom(a, port), Src: el.Src})
		}
	}
}

// wordsText prints a statement's words for a note.
func wordsText(st stmt) string {
	var ws []string
	for _, w := range st.Words {
		ws = append(ws, w.text)
	}
	if st.HasBlock {
		ws = append(ws, "{ ... }")
	}
	return strings.Join(ws, " ")
}
