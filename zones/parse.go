package zones

import (
	"bytes"
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

// Parse parses zone text for origin ("example.com" or "example.com."), file
// names the text in errors, and returns the zone as a list of records
// (grouped by owner and type, the SOA first). See ParseVersion.
func Parse(origin, file string, text []byte, opt ParseOptions) (*Zone, error) {
	v, err := ParseVersion(origin, file, text, opt)
	if err != nil {
		return nil, err
	}
	return v.Zone(), nil
}

// ParseVersion parses zone text into a Version with the zone's own serial.
//
// $ORIGIN, $TTL and $GENERATE work; $INCLUDE only with opt.AllowInclude.
// Syntax errors wrap *dns.ParseError, whose text carries file, line and
// column. The parsed zone is then validated (see Builder.Finish); the
// problems found are reported one per line as "file:line: owner TYPE:
// what", the line being where the record starts (for records from
// $INCLUDE or $GENERATE, the directive's line). A record listed twice is
// kept once.
func ParseVersion(origin, file string, text []byte, opt ParseOptions) (*Version, error) {
	b, err := NewBuilder(origin, file, bytes.Count(text, []byte{'\n'})+1)
	if err != nil {
		return nil, err
	}
	if err := b.ReadText(text, opt, nil); err != nil {
		return nil, err
	}
	base, err := b.Finish()
	if err != nil {
		return nil, err
	}
	return NewVersion(base, base.soa.Serial, nil)
}

// ReadRecords runs the miekg/dns parser over text and calls each with
// every record and the line of file it starts on, in file order.
func ReadRecords(origin, file string, text []byte, opt ParseOptions, each func(rr dns.RR, line int) error) error {
	apex, err := normaliseOrigin(origin)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	lr := newLineReader(text)
	zp := dns.NewZoneParser(lr, apex, file)
	zp.SetDefaultTTL(defaultTTL)
	zp.SetIncludeAllowed(opt.AllowInclude)
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		if err := each(rr, lr.takeLine()); err != nil {
			return fmt.Errorf("parse zone %s: %w", apex, err)
		}
	}
	if err := zp.Err(); err != nil {
		return fmt.Errorf("parse zone %s: %w", apex, err)
	}
	return nil
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
const maxRecords = 1 << 22

// ownerOf is rr's owner name in canonical (lower case) form.
func ownerOf(rr dns.RR) string {
	return strings.ToLower(rr.Header().Name)
}

// Zone is the version as a list of records.
func (v *Version) Zone() *Zone {
	recs := v.AllRecords()
	return &Zone{Origin: v.base.origin, SOA: recs[0].(*dns.SOA), Records: recs}
}
