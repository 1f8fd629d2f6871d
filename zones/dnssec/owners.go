package dnssec

import (
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

// ownerInfo is one owner name of an unsigned zone as the signer sees it.
type ownerInfo struct {
	name  []byte // canonical wire
	text  string // presentation form of name
	types []uint16
	sets  []zones.RRset // what the Base holds (see zones.BaseOwner.Sets)
	// perVersion are the types each version signs: SOA at the apex and
	// the types the owner's slots fill.
	perVersion []uint16
	apex       bool
	cut        bool
	empty      bool
	occluded   bool // below a delegation: glue, not the zone's data
}

// dnssecTypes may not be written in the template of a zone zonerw signs:
// it makes them itself.
var dnssecTypes = []uint16{dns.TypeRRSIG, dns.TypeNSEC, dns.TypeNSEC3, dns.TypeNSEC3PARAM, dns.TypeDNSKEY, dns.TypeCDS, dns.TypeCDNSKEY}

// collectOwners reads the owners of an unsigned Base, marking the names
// below delegations.
func collectOwners(base *zones.Base, signed bool) ([]ownerInfo, error) {
	perVersion := map[string][]uint16{}
	for _, s := range base.Slots() {
		w, err := zones.AppendWireName(nil, s.Owner)
		if err != nil {
			return nil, err
		}
		if k := string(w); !slices.Contains(perVersion[k], s.Type) {
			perVersion[k] = append(perVersion[k], s.Type)
		}
	}
	cuts := map[string]bool{}
	var out []ownerInfo
	var bad []string
	base.Owners(func(o zones.BaseOwner) bool {
		oi := ownerInfo{name: o.Name, text: zones.WireNameText(o.Name), types: o.Types, sets: o.Sets,
			perVersion: perVersion[string(o.Name)], cut: o.Cut, empty: o.Empty, apex: len(out) == 0}
		if oi.apex {
			oi.perVersion = append(oi.perVersion, dns.TypeSOA)
		}
		for _, t := range o.Types {
			if !signed && slices.Contains(dnssecTypes, t) {
				bad = append(bad, oi.text+" "+dns.Type(t).String())
			}
		}
		if o.Cut {
			cuts[string(o.Name)] = true
		}
		out = append(out, oi)
		return true
	})
	if len(bad) > 0 {
		return nil, fmt.Errorf("the template holds DNSSEC records (%s): with dnssec on, zonerw makes them; take them out", strings.Join(bad[:min(len(bad), 5)], ", "))
	}
	apexLen := len(out[0].name)
	for i := range out {
		for p := zones.WireParent(out[i].name); len(p) > apexLen; p = zones.WireParent(p) {
			if cuts[string(p)] {
				out[i].occluded = true
				break
			}
		}
	}
	return out, nil
}

// signedTypes are the types of o whose RRsets the zone signs: all its
// authoritative data; at a delegation only DS.
func (o *ownerInfo) signedType(t uint16) bool {
	if o.occluded {
		return false
	}
	if o.cut {
		return t == dns.TypeDS
	}
	return true
}

// hasSigned reports whether o has an RRset the zone signs (besides its
// NSEC).
func (o *ownerInfo) hasSigned(extra []uint16) bool {
	for _, t := range o.types {
		if o.signedType(t) {
			return true
		}
	}
	return len(extra) > 0
}

// bitmap is the sorted type list of an NSEC or NSEC3 record at o, with
// extra types (the apex's keys) and add (RRSIG, NSEC) besides.
func (o *ownerInfo) bitmap(extra []uint16, add ...uint16) []uint16 {
	var out []uint16
	for _, t := range append(slices.Clone(o.types), extra...) {
		if !o.cut || t == dns.TypeNS || t == dns.TypeDS {
			out = append(out, t)
		}
	}
	out = append(out, add...)
	slices.Sort(out)
	return slices.Compact(out)
}
