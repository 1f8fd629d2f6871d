package importer

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// defaultZones are the zones Debian's named.conf.default-zones (and RFC
// 1912) set up on every BIND; they are not the user's to move.
var defaultZones = []string{"localhost", "127.in-addr.arpa", "0.in-addr.arpa", "255.in-addr.arpa",
	"1.0.0.127.in-addr.arpa", "0.0.127.in-addr.arpa"}

// zone translates a zone statement.
func (b *bindReader) zone(vz viewZone) error {
	st := vz.stmt
	z := zone{Name: strings.TrimSuffix(st.word(1), "."), Src: st.Src}
	if z.Name == "" || !st.HasBlock {
		return fmt.Errorf("%s: zone: want zone NAME { ... };", st.Src)
	}
	typ := ""
	for _, o := range st.Block {
		switch o.word(0) {
		case "type":
			typ = o.word(1)
		case "file":
			z.File, z.FileSrc = o.word(1), o.Src
		}
	}
	switch {
	case typ != "primary" && typ != "master":
		if typ != "hint" {
			b.s.note(st.Src, "zone %s: type %s, not imported: zonerw serves the zones it is primary for", z.Name, typ)
		}
		return nil
	case slices.Contains(defaultZones, strings.ToLower(z.Name)):
		b.s.note(st.Src, "zone %s: one of BIND's default zones, not imported", z.Name)
		return nil
	case z.File == "":
		b.s.note(st.Src, "zone %s: no file, not imported: zonerw needs the zone's file as its template", z.Name)
		return nil
	case slices.ContainsFunc(b.s.Zones, func(o zone) bool { return strings.EqualFold(o.Name, z.Name) }):
		b.s.note(st.Src, "zone %s (view %s): already imported from another view; this one not translated", z.Name, vz.view)
		return nil
	}
	if !filepath.IsAbs(z.File) {
		z.File = filepath.Join(b.dir, z.File)
	}
	b.zoneNotify(&z, st)
	b.zoneTransfer(&z, st)
	for _, o := range st.Block {
		if name := o.word(0); !slices.Contains(zoneOptions, name) {
			b.s.note(o.Src, "zone %s: %s not translated: zonerw has no counterpart", z.Name, wordsText(o))
		}
	}
	b.s.Zones = append(b.s.Zones, z)
	return nil
}

// option returns the zone's own setting of name, else the options { }
// one; BIND does not merge the two.
func (b *bindReader) option(st stmt, name string) (stmt, bool) {
	for _, blk := range [][]stmt{st.Block, b.options.Block} {
		for _, o := range blk {
			if o.word(0) == name {
				return o, true
			}
		}
	}
	return stmt{}, false
}

// zoneNotify reads notify and also-notify.
func (b *bindReader) zoneNotify(z *zone, st stmt) {
	mode, modeSrc := "yes", st.Src
	if o, ok := b.option(st, "notify"); ok {
		mode, modeSrc = o.word(1), o.Src
	}
	also, hasAlso := b.option(st, "also-notify")
	if mode == "no" {
		if hasAlso && len(also.Block) > 0 {
			b.s.note(modeSrc, "zone %s: notify no: the also-notify list is left out, as BIND sends no NOTIFY", z.Name)
		}
		return
	}
	if mode != "explicit" {
		b.s.note(modeSrc, "zone %s: notify %s: BIND also NOTIFYs the servers in the zone's NS records; zonerw NOTIFYs only its secondaries: list those not already there", z.Name, mode)
	}
	if hasAlso {
		z.Notify = b.notifyList(z.Name, also, portOf(also.Words[1:], 53), "", 0)
	}
}

// notifyList reads an also-notify or primaries list: elements
// "ADDR [port N] [key K];" or "LISTNAME [key K];".
func (b *bindReader) notifyList(zoneName string, list stmt, port uint16, key string, depth int) []notify {
	var out []notify
	for _, el := range list.Block {
		addr, p, k, rest := el.word(0), port, key, el.Words
		if len(rest) > 0 {
			rest = rest[1:]
		}
		for len(rest) >= 2 && (rest[0].text == "port" || rest[0].text == "key") {
			if rest[0].text == "port" {
				p = portOf(rest, p)
			} else {
				k = strings.TrimSuffix(rest[1].text, ".")
			}
			rest = rest[2:]
		}
		if len(rest) > 0 || el.HasBlock {
			b.s.note(el.Src, "zone %s: also-notify element %s not translated", zoneName, wordsText(el))
			continue
		}
		if named, ok := b.servers[addr]; ok && depth < maxIncludeDepth {
			out = append(out, b.notifyList(zoneName, named, portOf(named.Words[2:], p), k, depth+1)...)
			continue
		}
		ap, err := addrWithPort(addr, "#", p)
		if err != nil {
			b.s.note(el.Src, "zone %s: also-notify %s not translated: %v", zoneName, wordsText(el), err)
			continue
		}
		if k != "" && !b.hasKey(k) {
			b.s.note(el.Src, "zone %s: also-notify %s not translated: no key statement names %q", zoneName, wordsText(el), k)
			continue
		}
		out = append(out, notify{Addr: ap, Key: k, Src: el.Src})
	}
	return out
}

// portOf reads "port N" at the start of words, else returns def.
func portOf(words []btok, def uint16) uint16 {
	if len(words) >= 2 && words[0].text == "port" {
		if ap, err := addrWithPort("0.0.0.0#"+words[1].text, "#", def); err == nil {
			return ap.Port()
		}
	}
	return def
}

func (b *bindReader) hasKey(name string) bool {
	return slices.ContainsFunc(b.s.Keys, func(k Key) bool { return k.Name == name })
}
