package zones

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// problem is one validation failure; line 0 means the zone as a whole.
type problem struct {
	line  int
	owner string
	rtype string
	what  string
}

// notInZone lists the types that only make sense in a DNS message.
var notInZone = map[uint16]bool{
	dns.TypeOPT: true, dns.TypeTSIG: true, dns.TypeTKEY: true,
	dns.TypeAXFR: true, dns.TypeIXFR: true, dns.TypeANY: true,
	dns.TypeMAILA: true, dns.TypeMAILB: true,
}

// cnameNeighbours are the types allowed at the owner of a CNAME (RFC 4035).
var cnameNeighbours = map[uint16]bool{dns.TypeCNAME: true, dns.TypeRRSIG: true, dns.TypeNSEC: true}

// maxRRset bounds the records of one RRset (an rrset counts them in 16 bits).
const maxRRset = 1<<16 - 1

// checkOwner records the problems of one owner's RRsets: the apex's SOA
// and NS, a CNAME beside other data or more than one CNAME, an RRset too
// large to hold.
func (b *Builder) checkOwner(name uint32, g group) {
	text := func() string { return WireNameText(b.names.name(name)) }
	if name == 0 {
		b.checkApex(g)
	}
	if cn := g.set(dns.TypeCNAME); cn != nil {
		first := b.recs[cn[0]]
		p := problem{line: int(first.line), owner: b.ownerText(cn[0], text), rtype: "CNAME"}
		var others []string
		for _, t := range g.types {
			if !cnameNeighbours[t] {
				others = append(others, dns.Type(t).String())
			}
		}
		if len(others) > 0 {
			p.what = fmt.Sprintf("CNAME beside other data (%s)", strings.Join(others, ", "))
			b.probs = append(b.probs, p)
		}
		if len(cn) > 1 {
			p.what = fmt.Sprintf("%d CNAME records at one name, at most one allowed", len(cn))
			b.probs = append(b.probs, p)
		}
	}
	for k, set := range g.sets {
		if len(set) > maxRRset {
			b.probs = append(b.probs, problem{line: int(b.recs[set[maxRRset]].line), owner: text(),
				rtype: dns.Type(g.types[k]).String(), what: fmt.Sprintf("more than %d records in one RRset", maxRRset)})
		}
	}
}

// checkApex wants exactly one SOA and at least one NS at the apex.
func (b *Builder) checkApex(g group) {
	soas := g.set(dns.TypeSOA)
	switch {
	case len(soas) == 0:
		b.probs = append(b.probs, problem{owner: b.origin, rtype: "SOA", what: "no SOA record at the apex"})
	case len(soas) > 1:
		b.probs = append(b.probs, problem{line: int(b.recs[soas[1]].line), owner: b.origin, rtype: "SOA", what: "second SOA record at the apex"})
	}
	if !g.has(dns.TypeNS) {
		b.probs = append(b.probs, problem{owner: b.origin, rtype: "NS", what: "no NS record at the apex"})
	}
}

// ownerText names the owner of record ri in messages: the apex as the
// zone's origin, other names as they read in presentation form.
func (b *Builder) ownerText(ri uint32, text func() string) string {
	if b.recs[ri].name == 0 {
		return b.origin
	}
	return text()
}

// checkNameServers wants each NS target inside the zone, at the apex or
// for a delegation, to have an address record in the zone. ns are the
// staged NS records; hasAddr tells, by name index, the names with one.
func (b *Builder) checkNameServers(ns []uint32, hasAddr []bool) {
	for _, ri := range ns {
		r := b.recs[ri]
		target := append([]byte(nil), b.rdataOf(r)...)
		LowerWire(target)
		if !isSubWire(target, b.apex) {
			continue
		}
		if t, ok := b.names.find(target); ok && hasAddr[t] {
			continue
		}
		b.probs = append(b.probs, problem{line: int(r.line), owner: b.ownerText(ri, func() string { return WireNameText(b.names.name(r.name)) }),
			rtype: "NS", what: fmt.Sprintf("name server %s is inside the zone but has no A or AAAA record", WireNameText(target))})
	}
}

// maxProblems is how many problems one error lists; more are counted.
const maxProblems = 20

// joinProblems orders problems by line, whole-zone ones last, and joins
// the first maxProblems into one error, one problem per line of text.
func joinProblems(file string, probs []problem) error {
	slices.SortFunc(probs, func(a, b problem) int {
		if (a.line == 0) != (b.line == 0) {
			return cmp.Compare(b.line, a.line) // 0 sorts last
		}
		return cmp.Or(cmp.Compare(a.line, b.line), strings.Compare(a.owner, b.owner),
			strings.Compare(a.rtype, b.rtype), strings.Compare(a.what, b.what))
	})
	errs := make([]error, 0, maxProblems+1)
	for _, p := range probs[:min(len(probs), maxProblems)] {
		where := file
		if p.line > 0 {
			where = fmt.Sprintf("%s:%d", file, p.line)
		}
		errs = append(errs, fmt.Errorf("%s: %s %s: %s", where, p.owner, p.rtype, p.what))
	}
	if more := len(probs) - maxProblems; more > 0 {
		errs = append(errs, fmt.Errorf("%s: and %d more problems", file, more))
	}
	return errors.Join(errs...)
}
