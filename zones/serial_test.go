package zones

import (
	"testing"
	"time"
)

func TestParseSerialPolicy(t *testing.T) {
	tests := []struct {
		in      string
		want    SerialPolicy
		wantErr string
	}{
		{in: "", want: DateSerial},
		{in: "dateserial", want: DateSerial},
		{in: "unixtime", want: UnixTime},
		{in: "increment", want: Increment},
		{in: "date", wantErr: `unknown serial policy "date": want dateserial, unixtime or increment`},
		{in: "DateSerial", wantErr: `unknown serial policy "DateSerial": want dateserial, unixtime or increment`},
	}
	for _, tt := range tests {
		got, err := ParseSerialPolicy(tt.in)
		if gotErr := errText(err); gotErr != tt.wantErr || got != tt.want {
			t.Errorf("ParseSerialPolicy(%q) = %q, %q; want %q, %q", tt.in, got, gotErr, tt.want, tt.wantErr)
		}
	}
}

// errText is err's message, or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestSerialLess(t *testing.T) {
	tests := []struct {
		a, b uint32
		want bool
	}{
		{a: 1, b: 2, want: true},
		{a: 2, b: 1, want: false},
		{a: 7, b: 7, want: false},
		{a: 0, b: 1<<31 - 1, want: true},
		{a: 0, b: 1 << 31, want: false}, // distance 2^31 is undefined
		{a: 1 << 31, b: 0, want: false}, // both ways
		{a: 1<<32 - 1, b: 0, want: true},
		{a: 1<<32 - 1, b: 1<<31 - 2, want: true},
		{a: 1<<32 - 1, b: 1<<31 - 1, want: false}, // distance 2^31 again
		{a: 0, b: 1<<32 - 1, want: false},
	}
	for _, tt := range tests {
		if got := SerialLess(tt.a, tt.b); got != tt.want {
			t.Errorf("SerialLess(%d, %d) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// day is noon UTC on the given date.
func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
}

func TestNextSerial(t *testing.T) {
	plus10 := time.FixedZone("UTC+10", 10*3600)
	tests := []struct {
		name     string
		policy   SerialPolicy
		prev     uint32
		havePrev bool
		now      time.Time
		want     uint32
		wantErr  string
	}{
		{name: "date, first serial", policy: DateSerial, now: day(2024, 3, 5), want: 2024030500},
		{name: "date, second change of the day", policy: DateSerial, prev: 2024030500, havePrev: true, now: day(2024, 3, 5), want: 2024030501},
		{name: "date, new day", policy: DateSerial, prev: 2024030512, havePrev: true, now: day(2024, 3, 6), want: 2024030600},
		{name: "date, rollover at SS=99", policy: DateSerial, prev: 2024030599, havePrev: true, now: day(2024, 3, 5), want: 2024030600},
		{name: "date, day after a rollover", policy: DateSerial, prev: 2024030600, havePrev: true, now: day(2024, 3, 6), want: 2024030601},
		{name: "date, clock set back", policy: DateSerial, prev: 2024030502, havePrev: true, now: day(2024, 3, 1), want: 2024030503},
		{name: "date, serial ahead of the date", policy: DateSerial, prev: 2030010100, havePrev: true, now: day(2024, 3, 5), want: 2030010101},
		{name: "date, in now's location", policy: DateSerial, now: time.Date(2024, 3, 5, 20, 0, 0, 0, time.UTC).In(plus10), want: 2024030600},
		{name: "date, wraps to the date from a serial near 2^32", policy: DateSerial, prev: 1<<32 - 1, havePrev: true, now: day(2024, 3, 5), want: 2024030500},
		{name: "date, year too large", policy: DateSerial, now: day(4295, 1, 1), wantErr: "date serial for 4295-01-01 does not fit in 32 bits"},
		{name: "unixtime, first serial", policy: UnixTime, now: time.Unix(1709640000, 0), want: 1709640000},
		{name: "unixtime, later", policy: UnixTime, prev: 1709640000, havePrev: true, now: time.Unix(1709640060, 0), want: 1709640060},
		{name: "unixtime, same second", policy: UnixTime, prev: 1709640000, havePrev: true, now: time.Unix(1709640000, 0), want: 1709640001},
		{name: "unixtime, clock set back", policy: UnixTime, prev: 1709640000, havePrev: true, now: time.Unix(1709000000, 0), want: 1709640001},
		{name: "unixtime, after dateserial", policy: UnixTime, prev: 2024030500, havePrev: true, now: time.Unix(1709640000, 0), want: 2024030501},
		{name: "unixtime, largest jump allowed", policy: UnixTime, prev: 1, havePrev: true, now: time.Unix(1<<31, 0), want: 1 << 31},
		{name: "unixtime, before 1970", policy: UnixTime, now: time.Unix(-1, 0).UTC(), wantErr: "unix time serial for 1969-12-31T23:59:59Z does not fit in 32 bits"},
		{name: "increment, first serial", policy: Increment, now: day(2024, 3, 5), want: 1},
		{name: "increment", policy: Increment, prev: 41, havePrev: true, now: day(2024, 3, 5), want: 42},
		{name: "increment, wrap at 2^32-1", policy: Increment, prev: 1<<32 - 1, havePrev: true, now: day(2024, 3, 5), want: 0},
		{
			name: "unixtime, refused jump", policy: UnixTime, prev: 1, havePrev: true, now: time.Unix(1<<31+5, 0),
			wantErr: "unixtime: next serial 2147483653 is more than 2^31-1 above the current serial 1, " +
				"a jump RFC 1982 arithmetic cannot express: publish an intermediate serial first, " +
				"such as 2147483648, and let the secondaries load it",
		},
		{name: "unknown policy", policy: "weekly", now: day(2024, 3, 5), wantErr: `unknown serial policy "weekly"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NextSerial(tt.policy, tt.prev, tt.havePrev, tt.now)
			if gotErr := errText(err); gotErr != tt.wantErr || got != tt.want {
				t.Fatalf("NextSerial = %d, %q; want %d, %q", got, gotErr, tt.want, tt.wantErr)
			}
			if err == nil && tt.havePrev && !SerialLess(tt.prev, got) {
				t.Errorf("serial %d is not after %d in RFC 1982 arithmetic", got, tt.prev)
			}
		})
	}
}

// TestNextSerialManyChangesInADay makes 250 changes on one day and then some
// on the next: every serial must be ahead of the one before.
func TestNextSerialManyChangesInADay(t *testing.T) {
	now := time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
	serial, err := NextSerial(DateSerial, 0, false, now)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 250; i++ {
		now = now.Add(time.Minute)
		next, err := NextSerial(DateSerial, serial, true, now)
		if err != nil {
			t.Fatalf("change %d: %v", i, err)
		}
		if !SerialLess(serial, next) {
			t.Fatalf("change %d: serial %d is not after %d", i, next, serial)
		}
		serial = next
	}
	if serial != 2024030749 {
		t.Errorf("after 250 changes on 2024-03-05 the serial is %d, want 2024030749", serial)
	}
	next, err := NextSerial(DateSerial, serial, true, time.Date(2024, 3, 6, 9, 0, 0, 0, time.UTC))
	if err != nil || next != 2024030750 {
		t.Errorf("first change on 2024-03-06 = %d, %v; want 2024030750 (still ahead of the date)", next, err)
	}
}
