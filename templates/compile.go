package templates

import (
	"fmt"
	"strings"
)

// MarkerRecord is a record of a template written with an address marker:
// rendering writes it once per address, and a compiled zone makes its
// records anew from the addresses alone.
type MarkerRecord struct {
	First, Last int    // 1-based lines of the template the record spans
	Service     string // the service whose addresses fill it
	IPv6        bool   // @IPV6: (AAAA) rather than @IP (A)
}

// MarkerRecords lists the template's marker records in file order.
func (t *Template) MarkerRecords() []MarkerRecord {
	var out []MarkerRecord
	for _, b := range t.blocks {
		if b.addr != nil {
			out = append(out, MarkerRecord{First: b.first + 1, Last: b.last + 1, Service: b.addr.service, IPv6: b.addr.v6})
		}
	}
	return out
}

// ttlKind says how a block bears on the TTL of the records after it. In a
// zone file a record without a TTL of its own takes the $TTL in effect, or
// when there is none the TTL of the last record that had one (RFC 1035,
// as BIND, NSD and miekg/dns read it).
type ttlKind int

const (
	ttlNone      ttlKind = iota // not a record (blank, comment)
	ttlOwn                      // a record with a TTL of its own
	ttlInherited                // a record without one
	ttlDirective                // $TTL
)

// ttlRole classifies a parsed record.
func ttlRole(r record, lines []srcLine) ttlKind {
	switch {
	case r.directive && strings.EqualFold(r.typeName(lines), "$TTL"):
		return ttlDirective
	case r.directive:
		return ttlNone
	case r.ttl >= 0:
		return ttlOwn
	}
	return ttlInherited
}

// CheckTTLOverride reports the records that would change TTL along with
// a marker record of one of services when that service's records are
// given an override TTL (failover_ttl): a record without a TTL of its own,
// before any $TTL line, after a marker record that then carries the
// override. Rendering would write the override there too, so the zone
// would change beyond the marker records; the error names each such line
// and how to fix the template.
func (t *Template) CheckTTLOverride(services map[string]bool) error {
	errs := lineErrors{file: t.file}
	directive, lastMarker := false, 0
	for _, b := range t.blocks {
		switch {
		case b.ttl == ttlDirective:
			directive = true
		case directive:
		case b.addr != nil && services[b.addr.service]:
			lastMarker = b.addr.line
		case b.ttl == ttlOwn:
			lastMarker = 0
		case b.ttl == ttlInherited && lastMarker > 0:
			errs.add(b.first+1, "%s", fmt.Sprintf("this record has no TTL and no $TTL line comes before it, so it would take the "+
				"failover_ttl of the marker record on line %d; add a $TTL line at the top of the template or give this record a TTL", lastMarker))
		}
	}
	return errs.err()
}
