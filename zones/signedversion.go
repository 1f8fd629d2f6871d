package zones

import (
	"fmt"

	"github.com/miekg/dns"
)

// DynamicSigner signs what changes from one version to the next: it is
// given each dynamic owner of a new version (its canonical wire name and
// its node as made: the SOA at the apex, the records its slots filled, and
// the static records and signatures the Base holds for it) and returns
// records to add there, in the RRset.Wire layout: the RRSIGs of the RRsets
// the Base could not sign. The node must not be kept.
type DynamicSigner func(owner []byte, n Node) ([]byte, error)

// NewSignedVersion is NewVersion, with sign's records added at every
// dynamic owner (merged into its RRSIG RRset). The records sign adds do
// not count in the digest (see derivedType); its cost is the size of the
// dynamic owners.
func NewSignedVersion(base *Base, serial uint32, fill Fill, sign DynamicSigner) (*Version, error) {
	v, err := NewVersion(base, serial, fill)
	if err != nil || sign == nil {
		return v, err
	}
	for i := range v.dyn {
		d := v.dyn[i]
		owner := base.names.name(base.dyn[i].name)
		add, err := sign(owner, Node{sets: d.sets, data: d.data, flags: base.owners[base.dyn[i].name].flags, index: base.dyn[i].name})
		if err != nil {
			return nil, fmt.Errorf("zone %s: sign %s: %w", base.origin, WireNameText(owner), err)
		}
		if len(add) > 0 {
			v.dyn[i] = withSignatures(d, add)
		}
	}
	return v, nil
}

// withSignatures returns d with the RRSIG records in sigs (RRset.Wire
// layout) added to its RRSIG RRset, made at the end when it has none.
func withSignatures(d dynNode, sigs []byte) dynNode {
	count := 0
	for off := 0; off < len(sigs); count++ {
		_, _, _, off = recordAt(sigs, off)
	}
	out := dynNode{data: make([]byte, 0, len(d.data)+len(sigs)), sets: make([]rrset, 0, len(d.sets)+1)}
	merged := false
	n := Node{sets: d.sets, data: d.data}
	for i := range n.Len() {
		s := n.At(i)
		set := rrset{rtype: s.Type, count: uint16(s.Count), off: uint32(len(out.data))}
		out.data = append(out.data, s.Wire...)
		if s.Type == dns.TypeRRSIG {
			out.data = append(out.data, sigs...)
			set.count += uint16(count)
			merged = true
		}
		out.sets = append(out.sets, set)
	}
	if !merged {
		out.sets = append(out.sets, rrset{rtype: dns.TypeRRSIG, count: uint16(count), off: uint32(len(out.data))})
		out.data = append(out.data, sigs...)
	}
	out.sets = append(out.sets, rrset{off: uint32(len(out.data))})
	return out
}

// Signed reports whether the version is signed: its apex holds RRSIGs.
func (v *Version) Signed() bool {
	_, ok := v.Apex().RRset(dns.TypeRRSIG)
	return ok
}

// EachDynamic calls fn with every dynamic owner of the version (the apex
// first) until fn returns false.
func (v *Version) EachDynamic(fn func(name []byte, n Node) bool) {
	for _, d := range v.base.dyn {
		if !fn(v.base.names.name(d.name), v.node(d.name)) {
			return
		}
	}
}
