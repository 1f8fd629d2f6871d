package zones

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/miekg/dns"
)

// ReadSerial returns the SOA serial of an existing zone file (found=false, err=nil if
// the file does not exist) so a lost state never makes the serial go backwards.
//
// Only the records up to the apex SOA are read and nothing is validated, so
// a file that a later version of a template would reject still yields its
// serial. $INCLUDE is not followed.
func ReadSerial(origin, path string) (serial uint32, found bool, err error) {
	apex, err := normaliseOrigin(origin)
	if err != nil {
		return 0, false, fmt.Errorf("%s: %w", path, err)
	}
	text, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("read zone file: %w", err)
	}
	zp := dns.NewZoneParser(bytes.NewReader(text), apex, path)
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		if soa, isSOA := rr.(*dns.SOA); isSOA && ownerOf(soa) == apex {
			return soa.Serial, true, nil
		}
	}
	if err := zp.Err(); err != nil {
		return 0, false, fmt.Errorf("read serial of zone %s: %w", apex, err)
	}
	return 0, false, fmt.Errorf("read serial of zone %s: %s: no SOA record at the apex", apex, path)
}
