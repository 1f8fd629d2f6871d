package zones

import (
	"fmt"
	"time"
)

// SerialPolicy chooses how a zone's next SOA serial is computed.
type SerialPolicy string

// The serial policies. Whatever the policy, a new serial is always greater
// than the previous one in RFC 1982 arithmetic.
const (
	// DateSerial is YYYYMMDDSS: the date of the change and a two-digit
	// counter. The hundredth change in a day counts on into the next date's
	// numbers rather than wrapping.
	DateSerial SerialPolicy = "dateserial"
	// UnixTime is the time of the change in seconds since 1970.
	UnixTime SerialPolicy = "unixtime"
	// Increment adds one to the previous serial.
	Increment SerialPolicy = "increment"
)

// ParseSerialPolicy returns the policy named s; "" means DateSerial.
func ParseSerialPolicy(s string) (SerialPolicy, error) {
	switch p := SerialPolicy(s); p {
	case "":
		return DateSerial, nil
	case DateSerial, UnixTime, Increment:
		return p, nil
	}
	return "", fmt.Errorf("unknown serial policy %q: want %s, %s or %s", s, DateSerial, UnixTime, Increment)
}

// serialHalf is 2^31, the distance RFC 1982 leaves undefined.
const serialHalf = 1 << 31

// SerialLess reports whether a < b in RFC 1982 serial arithmetic (undefined distance 2^31 -> false).
func SerialLess(a, b uint32) bool {
	return (a < b && b-a < serialHalf) || (a > b && a-b > serialHalf)
}

// NextSerial returns the serial for a new version of a zone.
//
// prev is the serial last published (havePrev false when there is none).
// The policy gives a candidate from now (or from prev for Increment); the
// candidate is used when it is ahead of prev, otherwise prev+1 is, so a
// clock set back or a busy day never lowers the serial. A candidate more
// than 2^31-1 above prev cannot be reached in one step and is an error.
func NextSerial(p SerialPolicy, prev uint32, havePrev bool, now time.Time) (uint32, error) {
	candidate, err := serialCandidate(p, prev, havePrev, now)
	if err != nil {
		return 0, err
	}
	if !havePrev {
		return candidate, nil
	}
	if uint64(candidate) > uint64(prev)+serialHalf-1 {
		return 0, fmt.Errorf("%s: next serial %d is more than 2^31-1 above the current serial %d, "+
			"a jump RFC 1982 arithmetic cannot express: publish an intermediate serial first, "+
			"such as %d, and let the secondaries load it", p, candidate, prev, uint64(prev)+serialHalf-1)
	}
	if SerialLess(prev, candidate) {
		return candidate, nil
	}
	return prev + 1, nil
}

// serialCandidate is the serial policy p would pick with no history.
func serialCandidate(p SerialPolicy, prev uint32, havePrev bool, now time.Time) (uint32, error) {
	switch p {
	case DateSerial:
		y, m, d := now.Date()
		v := uint64(y)*1_000_000 + uint64(m)*10_000 + uint64(d)*100
		if y < 0 || v > 1<<32-1 {
			return 0, fmt.Errorf("date serial for %s does not fit in 32 bits", now.Format(time.DateOnly))
		}
		return uint32(v), nil
	case UnixTime:
		s := now.Unix()
		if s < 0 || s > 1<<32-1 {
			return 0, fmt.Errorf("unix time serial for %s does not fit in 32 bits", now.Format(time.RFC3339))
		}
		return uint32(s), nil
	case Increment:
		if !havePrev {
			return 1, nil
		}
		return prev + 1, nil
	}
	return 0, fmt.Errorf("unknown serial policy %q", string(p))
}
