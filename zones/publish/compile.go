package publish

import (
	"bytes"
	"fmt"
	"net/netip"
	"sort"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/templates"
	"github.com/zonerw/zonerw/zones"
)

// Compiled is a zone's template compiled: the records no decision
// changes, and the slots its address markers fill.
type Compiled struct {
	// Zone is the zone as compiled. Its Template is kept only when the
	// zone has an output file to render it into; a zone only the
	// embedded nameserver serves lets it go, so a big zone is held once,
	// in its Base.
	Zone *Zone
	// File names the template in messages.
	File string
	Base *zones.Base // signed, when the zone is (see Signer)
	// Unsigned is the base as the template makes it, before signing.
	Unsigned *zones.Base
	signed   SignedBase // nil for a zone not signed
	// FixedSerial is set for a template without @serial number@: its SOA
	// serial is the one written there, and only the operator changes it.
	FixedSerial bool
}

// Stand-in addresses for compiling: any address of the family would do,
// as the records they fill are made anew for every version.
var (
	standIn4 = netip.MustParseAddr("192.0.2.1")
	standIn6 = netip.MustParseAddr("2001:db8::1")
)

// Compile renders z's template once, with one stand-in address per marker
// (so the rendered text has the template's lines), parses and validates
// the whole zone, and keeps each marker's record as a slot. Errors name
// the template's file and line.
func Compile(z *Zone) (*Compiled, error) {
	t := z.Template
	if err := t.CheckTTLOverride(z.OverrideTTL); err != nil {
		return nil, fmt.Errorf("zone %s: %w", z.Name, err)
	}
	markers := t.MarkerRecords()
	vals := templates.Values{Serial: 1, Active: map[string]templates.Addrs{}}
	for _, m := range markers {
		vals.Active[m.Service] = templates.Addrs{IPv4: []netip.Addr{standIn4}, IPv6: []netip.Addr{standIn6}}
	}
	text, err := t.Render(vals)
	if err != nil {
		return nil, err
	}
	file := t.File() + " (rendered)"
	b, err := zones.NewBuilder(z.Name, file, bytes.Count(text, []byte{'\n'})+1)
	if err != nil {
		return nil, err
	}
	err = b.ReadText(text, z.Parse, func(line int) (string, bool) {
		m, ok := markerAt(markers, line)
		return slotKey(m.Service, m.IPv6), ok
	})
	if err != nil {
		return nil, fmt.Errorf("zone %s: the rendered template is not a valid zone: %w", z.Name, err)
	}
	base, err := b.Finish()
	if err != nil {
		return nil, fmt.Errorf("zone %s: the rendered template is not a valid zone: %w", z.Name, err)
	}
	kept := *z
	if kept.Output == "" {
		kept.Template = nil
	}
	c := &Compiled{Zone: &kept, File: t.File(), Base: base, Unsigned: base, FixedSerial: !t.HasSerial()}
	if err := c.sign(); err != nil {
		return nil, err // it names the zone
	}
	return c, nil
}

// markerAt finds the marker record whose lines hold line.
func markerAt(ms []templates.MarkerRecord, line int) (templates.MarkerRecord, bool) {
	i := sort.Search(len(ms), func(i int) bool { return ms[i].Last >= line })
	if i < len(ms) && ms[i].First <= line {
		return ms[i], true
	}
	return templates.MarkerRecord{}, false
}

// A slot's key names its service and family.
func slotKey(service string, v6 bool) string {
	if v6 {
		return service + "/6"
	}
	return service + "/4"
}

// Version makes the version of the zone for values with the given serial
// (ignored, and the template's own used, with FixedSerial).
func (c *Compiled) Version(serial uint32, v Values) (*zones.Version, error) {
	if c.FixedSerial {
		serial = c.TemplateSerial()
	}
	f := func(s zones.Slot) ([]netip.Addr, uint32, error) { return fill(s, v) }
	if c.signed != nil {
		return c.signed.NewVersion(serial, f)
	}
	return zones.NewVersion(c.Base, serial, f)
}

// TemplateSerial is the serial the template's SOA is written with (1 when
// it has a @serial number@ marker).
func (c *Compiled) TemplateSerial() uint32 { return c.Base.SOASerial() }

// fill is a slot's addresses and TTL in v.
func fill(s zones.Slot, v Values) ([]netip.Addr, uint32, error) {
	service, v6 := s.Key[:len(s.Key)-2], s.Key[len(s.Key)-1] == '6'
	addrs, family := v.Active[service].IPv4, "IPv4"
	if v6 {
		addrs, family = v.Active[service].IPv6, "IPv6"
	}
	if len(addrs) == 0 {
		return nil, 0, fmt.Errorf("%s %s (line %d): no %s address given for service %q", s.Owner, dns.Type(s.Type), s.Line, family, service)
	}
	return addrs, v.TTL[service], nil
}
