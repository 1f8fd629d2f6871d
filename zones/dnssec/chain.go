package dnssec

import (
	"slices"
	"strings"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

// chainRec is one record of the denial chain and its owner (canonical wire).
type chainRec struct {
	owner []byte
	rr    dns.RR
}

// makeChain is the zone's NSEC chain (RFC 4034 section 4, RFC 4035
// section 2.3) or NSEC3 chain (RFC 5155 section 7.1, with RFC 9276's
// parameters). apexTypes are the types the signer adds at the apex. The
// chain depends on the names and types only, so every version of a
// compile shares it.
func makeChain(zone string, owners []ownerInfo, apexTypes []uint16, nsec3 bool, ttl uint32) ([]chainRec, error) {
	if nsec3 {
		return nsec3Chain(zone, owners, apexTypes, ttl)
	}
	return nsecChain(owners, apexTypes, ttl), nil
}

// nsecChain links every name with data (empty non-terminals and names
// below delegations aside) in canonical order, the last back to the apex.
func nsecChain(owners []ownerInfo, apexTypes []uint16, ttl uint32) []chainRec {
	var names []int
	for i, o := range owners {
		if !o.empty && !o.occluded {
			names = append(names, i)
		}
	}
	slices.SortFunc(names, func(a, b int) int { return zones.CompareWire(owners[a].name, owners[b].name) })
	out := make([]chainRec, 0, len(names))
	for k, i := range names {
		o := &owners[i]
		next := owners[names[(k+1)%len(names)]]
		var extra []uint16
		if o.apex {
			extra = apexTypes
		}
		out = append(out, chainRec{owner: o.name, rr: &dns.NSEC{
			Hdr:        dns.RR_Header{Name: o.text, Rrtype: dns.TypeNSEC, Class: dns.ClassINET, Ttl: ttl},
			NextDomain: next.text, TypeBitMap: o.bitmap(extra, dns.TypeRRSIG, dns.TypeNSEC),
		}})
	}
	return out
}

// hashed is one name of an NSEC3 chain.
type hashed struct {
	hash  string // base32hex, upper case (dns.HashName)
	owner int
}

// nsec3Chain hashes every name (empty non-terminals included, names
// below delegations aside) and links the hashes in order.
func nsec3Chain(zone string, owners []ownerInfo, apexTypes []uint16, ttl uint32) ([]chainRec, error) {
	var hs []hashed
	for i, o := range owners {
		if !o.occluded {
			hs = append(hs, hashed{hash: dns.HashName(o.text, dns.SHA1, 0, ""), owner: i})
		}
	}
	slices.SortFunc(hs, func(a, b hashed) int { return strings.Compare(a.hash, b.hash) })
	out := make([]chainRec, 0, len(hs))
	for k, h := range hs {
		o := &owners[h.owner]
		var extra []uint16
		if o.apex {
			extra = apexTypes
		}
		var types []uint16
		if !o.empty {
			if o.hasSigned(extra) {
				types = o.bitmap(extra, dns.TypeRRSIG)
			} else {
				types = o.bitmap(extra)
			}
		}
		name := strings.ToLower(h.hash) + "." + zone
		w, err := zones.AppendWireName(nil, name)
		if err != nil {
			return nil, err
		}
		out = append(out, chainRec{owner: w, rr: &dns.NSEC3{
			Hdr:  dns.RR_Header{Name: name, Rrtype: dns.TypeNSEC3, Class: dns.ClassINET, Ttl: ttl},
			Hash: dns.SHA1, HashLength: 20, NextDomain: hs[(k+1)%len(hs)].hash, TypeBitMap: types,
		}})
	}
	return out, nil
}
