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

// validate checks parsed records and builds the zone from them:
//   - class IN only, and no types that belong in messages (OPT, TSIG, ...);
//   - every owner inside the zone;
//   - exactly one SOA, at the apex, and NS records at the apex;
//   - no CNAME beside other data at its owner (RRSIG and NSEC aside);
//   - every name server inside the zone has an A or AAAA record in it.
//
// The problems are ordered by line and joined into one error that lists
// the first maxProblems of them.
func validate(apex, file string, recs []record) (*Zone, error) {
	z := &Zone{Origin: apex, Records: make([]dns.RR, 0, len(recs))}
	var probs []problem
	for _, r := range recs {
		z.Records = append(z.Records, r.rr)
		probs = append(probs, checkRecord(apex, r)...)
		if soa, ok := r.rr.(*dns.SOA); ok && ownerOf(soa) == apex && z.SOA == nil {
			z.SOA = soa
		}
	}
	probs = append(probs, checkApex(apex, recs)...)
	probs = append(probs, checkCNAMEs(recs)...)
	probs = append(probs, checkNameServers(apex, recs)...)
	if len(probs) > 0 {
		return nil, joinProblems(file, probs)
	}
	return z, nil
}

// notInZone lists the types that only make sense in a DNS message.
var notInZone = map[uint16]bool{
	dns.TypeOPT: true, dns.TypeTSIG: true, dns.TypeTKEY: true,
	dns.TypeAXFR: true, dns.TypeIXFR: true, dns.TypeANY: true,
	dns.TypeMAILA: true, dns.TypeMAILB: true,
}

// checkRecord checks what can be judged from one record alone.
func checkRecord(apex string, r record) []problem {
	h := r.rr.Header()
	p := problem{line: r.line, owner: h.Name, rtype: typeName(r.rr)}
	var out []problem
	if h.Class != dns.ClassINET {
		p.what = fmt.Sprintf("class %s is not supported, only IN", dns.Class(h.Class))
		out = append(out, p)
	}
	if notInZone[h.Rrtype] {
		p.what = fmt.Sprintf("type %s cannot appear in a zone", p.rtype)
		out = append(out, p)
	}
	if !dns.IsSubDomain(apex, h.Name) {
		p.what = "outside the zone " + apex
		out = append(out, p)
	}
	if h.Rrtype == dns.TypeSOA && ownerOf(r.rr) != apex && dns.IsSubDomain(apex, h.Name) {
		p.what = "SOA record not at the zone apex " + apex
		out = append(out, p)
	}
	return out
}

// checkApex wants exactly one SOA and at least one NS at the apex.
func checkApex(apex string, recs []record) []problem {
	var out []problem
	soas, nss := 0, 0
	for _, r := range recs {
		switch {
		case r.rr.Header().Rrtype == dns.TypeSOA && ownerOf(r.rr) == apex:
			soas++
			if soas == 2 {
				out = append(out, problem{line: r.line, owner: r.rr.Header().Name, rtype: "SOA", what: "second SOA record at the apex"})
			}
		case r.rr.Header().Rrtype == dns.TypeNS && ownerOf(r.rr) == apex:
			nss++
		}
	}
	if soas == 0 {
		out = append(out, problem{owner: apex, rtype: "SOA", what: "no SOA record at the apex"})
	}
	if nss == 0 {
		out = append(out, problem{owner: apex, rtype: "NS", what: "no NS record at the apex"})
	}
	return out
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
