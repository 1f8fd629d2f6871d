package zones

import (
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// cnameNeighbours are the types allowed at the owner of a CNAME (RFC 4035).
var cnameNeighbours = map[uint16]bool{dns.TypeCNAME: true, dns.TypeRRSIG: true, dns.TypeNSEC: true}

// checkCNAMEs reports, at its first CNAME, each owner holding a CNAME and
// other data, or more than one CNAME.
func checkCNAMEs(recs []record) []problem {
	first := make(map[string]record) // owner -> its first CNAME
	cnames := make(map[string]int)
	others := make(map[string][]string) // owner -> other types, in file order
	for _, r := range recs {
		o := ownerOf(r.rr)
		if r.rr.Header().Rrtype == dns.TypeCNAME {
			if cnames[o] == 0 {
				first[o] = r
			}
			cnames[o]++
		}
	}
	for _, r := range recs {
		o, t := ownerOf(r.rr), r.rr.Header().Rrtype
		if cnames[o] > 0 && !cnameNeighbours[t] && !slices.Contains(others[o], typeName(r.rr)) {
			others[o] = append(others[o], typeName(r.rr))
		}
	}
	var out []problem
	for o, r := range first {
		p := problem{line: r.line, owner: r.rr.Header().Name, rtype: "CNAME"}
		if len(others[o]) > 0 {
			p.what = fmt.Sprintf("CNAME beside other data (%s)", strings.Join(others[o], ", "))
			out = append(out, p)
		}
		if cnames[o] > 1 {
			p.what = fmt.Sprintf("%d CNAME records at one name, at most one allowed", cnames[o])
			out = append(out, p)
		}
	}
	return out
}

// checkNameServers wants each NS target inside the zone, at the apex or
// for a delegation, to have an address record in the zone.
func checkNameServers(apex string, recs []record) []problem {
	hasAddress := make(map[string]bool)
	for _, r := range recs {
		if t := r.rr.Header().Rrtype; t == dns.TypeA || t == dns.TypeAAAA {
			hasAddress[ownerOf(r.rr)] = true
		}
	}
	var out []problem
	for _, r := range recs {
		ns, ok := r.rr.(*dns.NS)
		if !ok {
			continue
		}
		target := strings.ToLower(ns.Ns)
		if dns.IsSubDomain(apex, target) && !hasAddress[target] {
			out = append(out, problem{line: r.line, owner: ns.Hdr.Name, rtype: "NS",
				what: fmt.Sprintf("name server %s is inside the zone but has no A or AAAA record", ns.Ns)})
		}
	}
	return out
}
