package zones

import (
	"slices"

	"github.com/miekg/dns"
)

// Diff returns the records only in old (deleted) and only in new (added),
// comparing records in canonical form (owner case-insensitive, TTL significant),
// SOA included as any other record. Deterministic order.
//
// Zones are compared as sets: a record listed twice counts once. Both lists
// are sorted by the records' canonical wire form, which groups them by owner
// and then by type. A nil zone is an empty one.
func Diff(old, new *Zone) (deleted, added []dns.RR) {
	oldSet, newSet := recordSet(old), recordSet(new)
	return missingFrom(oldSet, newSet), missingFrom(newSet, oldSet)
}

// recordSet maps each record's canonical key to its first occurrence.
func recordSet(z *Zone) map[string]dns.RR {
	set := make(map[string]dns.RR)
	if z == nil {
		return set
	}
	for _, rr := range z.Records {
		k := keyOrText(rr)
		if _, dup := set[k]; !dup {
			set[k] = rr
		}
	}
	return set
}

// missingFrom returns the records of a whose keys are not in b, in key order.
func missingFrom(a, b map[string]dns.RR) []dns.RR {
	var keys []string
	for k := range a {
		if _, ok := b[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, compareKeys)
	out := make([]dns.RR, 0, len(keys))
	for _, k := range keys {
		out = append(out, a[k])
	}
	return out
}
