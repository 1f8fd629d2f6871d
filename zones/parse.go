package zones

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// ParseOptions controls what zone text may do beyond plain records.
type ParseOptions struct {
	// AllowInclude permits $INCLUDE. Relative paths are resolved against
	// the directory of the file named in Parse. Off by default: an included
	// file's content can leak into error messages.
	AllowInclude bool
}

// defaultTTL is the TTL of records that come before any $TTL directive or
// explicit TTL, as in dns.NewRR.
const defaultTTL = 3600

// Parse parses zone text for origin ("example.com" or "example.com."), file names the text in errors.
//
// $ORIGIN, $TTL and $GENERATE work; $INCLUDE only with opt.AllowInclude.
// Syntax errors wrap *dns.ParseError, whose text carries file, line and
// column. The parsed zone is then validated (see validate); the problems
// found are reported one per line as "file:line: owner TYPE: what", the line
// being where the record starts (for records from $INCLUDE or $GENERATE,
// the directive's line). A record listed twice is kept once.
func Parse(origin, file string, text []byte, opt ParseOptions) (*Zone, error) {
	apex, err := normaliseOrigin(origin)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	recs, err := readRecords(apex, file, text, opt, maxRecords)
	if err != nil {
		return nil, fmt.Errorf("parse zone %s: %w", apex, err)
	}
	z, err := validate(apex, file, recs)
	if err != nil {
		return nil, err
	}
	return z, nil
}

// normaliseOrigin returns origin fully qualified and in lower case.
func normaliseOrigin(origin string) (string, error) {
	if origin == "" {
		return "", fmt.Errorf("zone origin is empty")
	}
	apex := dns.CanonicalName(origin)
	if _, ok := dns.IsDomainName(apex); !ok {
		return "", fmt.Errorf("zone origin %q is not a domain name", origin)
	}
	return apex, nil
}

// maxRecords bounds a zone's size, so that a few $GENERATE lines (65536
// records each) cannot eat the memory of the host.
const maxRecords = 1 << 20

// record is a parsed record and the line of file it came from.
type record struct {
	rr   dns.RR
	line int
}

// readRecords runs the miekg/dns parser over text and returns its records
// in file order, each encoded once to prove it can be served, exact
// duplicates dropped; more than limit records is an error.
func readRecords(apex, file string, text []byte, opt ParseOptions, limit int) ([]record, error) {
	lr := newLineReader(text)
	zp := dns.NewZoneParser(lr, apex, file)
	zp.SetDefaultTTL(defaultTTL)
	zp.SetIncludeAllowed(opt.AllowInclude)
	var recs []record
	seen := make(map[string]bool)
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		line := lr.takeLine()
		key, err := canonicalKey(rr)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, line, err)
		}
		if seen[key] {
			continue
		}
		if len(recs) == limit {
			return nil, fmt.Errorf("%s:%d: more than %d records", file, line, limit)
		}
		seen[key] = true
		recs = append(recs, record{rr: rr, line: line})
	}
	if err := zp.Err(); err != nil {
		return nil, err
	}
	return recs, nil
}

// ownerOf is rr's owner name in canonical (lower case) form.
func ownerOf(rr dns.RR) string {
	return strings.ToLower(rr.Header().Name)
}
