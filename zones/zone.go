// Package zones parses and validates zone text, chooses serials, persists
// state and writes zone files atomically. It does not serve queries.
package zones

import "github.com/miekg/dns"

// Zone is one parsed, validated version of a zone. It is immutable once
// built: readers (the nameserver, the publisher) may share it freely.
type Zone struct {
	// Origin is the zone apex, fully qualified and lower case ("example.com.").
	Origin string
	// SOA is the zone's single SOA record, owned by Origin.
	SOA *dns.SOA
	// Records holds every record of the zone, the SOA included, in file
	// order; Parse keeps a record listed twice only once.
	Records []dns.RR
}

// Serial is the zone's SOA serial.
func (z *Zone) Serial() uint32 { return z.SOA.Serial }
