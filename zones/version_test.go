package zones

import (
	"bytes"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

const slotZone = `$TTL 300
@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300
  IN NS ns1
ns1 IN A 127.0.0.53
www IN A 127.0.0.10
www IN TXT "web"
mail IN A 127.0.0.25
*.wild IN TXT "wild"
a.b.deep IN A 127.0.0.7
sub IN NS ns.sub
ns.sub IN A 127.0.0.54
`

// buildSlots builds slotZone with the records on the given lines as slots
// keyed "web".
func buildSlots(t *testing.T, text string, slotLines ...int) *Base {
	t.Helper()
	b, err := NewBuilder("example.com", "slots.zone", 0)
	if err != nil {
		t.Fatal(err)
	}
	err = ReadRecords("example.com.", "slots.zone", []byte(text), ParseOptions{}, func(rr dns.RR, line int) error {
		if slices.Contains(slotLines, line) {
			return b.AddSlot(rr, line, "web")
		}
		return b.Add(rr, line)
	})
	if err != nil {
		t.Fatal(err)
	}
	base, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return base
}

func fillWith(addrs ...string) Fill {
	return func(s Slot) ([]netip.Addr, uint32, error) {
		var out []netip.Addr
		for _, a := range addrs {
			out = append(out, netip.MustParseAddr(a))
		}
		return out, 0, nil
	}
}

func mustVersion(t *testing.T, base *Base, serial uint32, fill Fill) *Version {
	t.Helper()
	v, err := NewVersion(base, serial, fill)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// lookup returns the records of type t at name, as text.
func lookup(t *testing.T, v *Version, name string, rtype uint16) []string {
	t.Helper()
	w, err := wireName(name)
	if err != nil {
		t.Fatal(err)
	}
	n, ok := v.Lookup(w)
	if !ok {
		return nil
	}
	s, ok := n.RRset(rtype)
	if !ok {
		return nil
	}
	return texts(s.Records(name))
}

func TestVersionFillsSlots(t *testing.T) {
	base := buildSlots(t, slotZone, 5)
	v1 := mustVersion(t, base, 10, fillWith("192.0.2.1"))
	if got := lookup(t, v1, "www.example.com.", dns.TypeA); !slices.Equal(got, []string{"www.example.com.\t300\tIN\tA\t192.0.2.1"}) {
		t.Errorf("www A = %q", got)
	}
	if got := lookup(t, v1, "www.example.com.", dns.TypeTXT); len(got) != 1 {
		t.Errorf("www TXT (static beside a slot) = %q", got)
	}
	if v1.Serial() != 10 || lookup(t, v1, "example.com.", dns.TypeSOA)[0] != v1.SOA().String() {
		t.Errorf("serial %d, SOA %v", v1.Serial(), lookup(t, v1, "example.com.", dns.TypeSOA))
	}
	// all_down: all serves several addresses; a TTL override applies to them.
	v2, err := NewVersion(base, 11, func(Slot) ([]netip.Addr, uint32, error) {
		return []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")}, 60, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"www.example.com.\t60\tIN\tA\t192.0.2.1", "www.example.com.\t60\tIN\tA\t192.0.2.2"}
	if got := lookup(t, v2, "www.example.com.", dns.TypeA); !slices.Equal(got, want) {
		t.Errorf("www A with two addresses = %q, want %q", got, want)
	}
	d := DeltaBetween(v1, v2)
	if d.From.Serial != 10 || d.To.Serial != 11 || !slices.Equal(texts(d.Deleted), []string{"www.example.com.\t300\tIN\tA\t192.0.2.1"}) || !slices.Equal(texts(d.Added), want) {
		t.Errorf("delta: from %d to %d, deleted %q, added %q", d.From.Serial, d.To.Serial, texts(d.Deleted), texts(d.Added))
	}
}

func TestVersionDigestMatchesAPlainParse(t *testing.T) {
	base := buildSlots(t, slotZone, 5)
	v := mustVersion(t, base, 1, fillWith("192.0.2.9"))
	plain, err := ParseVersion("example.com", "plain.zone", []byte(strings.Replace(slotZone, "127.0.0.10", "192.0.2.9", 1)), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Digest() != plain.Digest() || !v.SameContent(plain) {
		t.Errorf("digest of the slotted version %s, of the same zone parsed plain %s", v.Digest(), plain.Digest())
	}
	if other := mustVersion(t, base, 7, fillWith("192.0.2.10")); other.Digest() == v.Digest() {
		t.Error("versions with different addresses have the same digest")
	}
	if again := mustVersion(t, base, 99, fillWith("192.0.2.9")); again.Digest() != v.Digest() {
		t.Error("the serial changed the digest")
	}
	if !slices.Equal(texts(v.AllRecords()), texts(plain.AllRecords())) {
		t.Errorf("records differ:\n%q\n%q", texts(v.AllRecords()), texts(plain.AllRecords()))
	}
	d := DeltaBetween(plain, v) // different bases: every record compared
	if len(d.Deleted)+len(d.Added) != 0 {
		t.Errorf("delta between equal zones of two bases: deleted %q added %q", texts(d.Deleted), texts(d.Added))
	}
}

func TestVersionMergesASlotWithAStaticRecord(t *testing.T) {
	text := slotZone + "www IN A 127.0.0.11\n"
	base := buildSlots(t, text, 5)
	v := mustVersion(t, base, 1, fillWith("127.0.0.11")) // the same as the static one
	if got := lookup(t, v, "www.example.com.", dns.TypeA); len(got) != 1 {
		t.Errorf("www A = %q, want the duplicate dropped", got)
	}
	v = mustVersion(t, base, 2, fillWith("127.0.0.12"))
	if got := lookup(t, v, "www.example.com.", dns.TypeA); len(got) != 2 {
		t.Errorf("www A = %q, want the static and the slot record", got)
	}
}

func TestNodeFlags(t *testing.T) {
	v := mustVersion(t, buildSlots(t, slotZone), 1, nil)
	node := func(name string) (Node, bool) {
		w, _ := wireName(name)
		return v.Lookup(w)
	}
	tests := []struct {
		name              string
		exists, empty     bool
		cut, wildcardKids bool
	}{
		{name: "example.com.", exists: true},
		{name: "b.deep.example.com.", exists: true, empty: true},
		{name: "deep.example.com.", exists: true, empty: true},
		{name: "a.b.deep.example.com.", exists: true},
		{name: "wild.example.com.", exists: true, empty: true, wildcardKids: true},
		{name: "sub.example.com.", exists: true, cut: true},
		{name: "nope.example.com."},
		{name: "WWW.EXAMPLE.COM."}, // lookups take canonical names
	}
	for _, tt := range tests {
		n, ok := node(tt.name)
		if tt.name == "WWW.EXAMPLE.COM." {
			w := []byte("\x03WWW\x07EXAMPLE\x03COM\x00")
			_, ok = v.Lookup(w)
		}
		if ok != tt.exists || (ok && (n.Empty() != tt.empty || n.Cut() != tt.cut || n.WildcardChild() != tt.wildcardKids)) {
			t.Errorf("%s: exists %v empty %v cut %v wildcard child %v", tt.name, ok, n.Empty(), n.Cut(), n.WildcardChild())
		}
	}
}

func TestChainKeepsTheJournalBounded(t *testing.T) {
	base := buildSlots(t, slotZone+"$GENERATE 1-20 h$ A 127.0.1.$\n", 5)
	prev := mustVersion(t, base, 1, fillWith("192.0.2.1"))
	for i := uint32(2); i <= 10; i++ {
		next := mustVersion(t, base, i, fillWith("192.0.2."+string(rune('0'+i%10))))
		Chain(prev, next, 4)
		prev = next
	}
	j := prev.Journal()
	if len(j) != 4 || !ValidJournal(j, 10) || j[0].From.Serial != 6 {
		t.Fatalf("journal of %d changes from %d, valid %v", len(j), j[0].From.Serial, ValidJournal(j, 10))
	}
}

// bigPlain is a plain zone of n records.
func bigPlain(b *testing.B, n int) *Version {
	b.Helper()
	var sb strings.Builder
	sb.WriteString("$ORIGIN example.com.\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 3600 900 1209600 300\n  IN NS ns1\nns1 IN A 127.0.0.53\n")
	for i := range n - 3 {
		fmt.Fprintf(&sb, "h%d IN A 10.%d.%d.%d\n", i, (i>>16)&255, (i>>8)&255, i&255)
	}
	v, err := ParseVersion("example.com", "big.zone", []byte(sb.String()), ParseOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return v
}

// BenchmarkSnapshotRead times loading a stored version: what a restart
// costs before the zone is served again.
func BenchmarkSnapshotRead(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var buf bytes.Buffer
			if err := bigPlain(b, n).WriteSnapshot(&buf); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ReadSnapshot(buf.Bytes(), "example.com.", "snap"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParse times parsing zone text into a version (a compile's
// parse and build, without the template).
func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("$ORIGIN example.com.\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 3600 900 1209600 300\n  IN NS ns1\nns1 IN A 127.0.0.53\n")
	for i := range 1_000_000 - 3 {
		fmt.Fprintf(&sb, "h%d IN A 10.%d.%d.%d\n", i, (i>>16)&255, (i>>8)&255, i&255)
	}
	text := []byte(sb.String())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseVersion("example.com", "big.zone", text, ParseOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// The SOA RRset a Base gives for a serial is byte for byte the one a
// version made with that serial holds: what a signer signs ahead of the
// version must be what the version serves.
func TestBaseSOARRsetIsTheVersions(t *testing.T) {
	b := buildSlots(t, slotZone, 5)
	for _, serial := range []uint32{1, 2026120300, 1<<32 - 1} {
		v := mustVersion(t, b, serial, fillWith("192.0.2.7"))
		got, ok := v.Apex().RRset(dns.TypeSOA)
		if !ok {
			t.Fatal("no SOA at the apex")
		}
		want := b.SOARRset(serial)
		if got.Count != want.Count || string(got.Wire) != string(want.Wire) {
			t.Errorf("serial %d: version holds %x, Base gives %x", serial, got.Wire, want.Wire)
		}
	}
	if string(b.ApexWire()) != "\x07example\x03com\x00" {
		t.Errorf("ApexWire = %q", b.ApexWire())
	}
}

// TestASlotsFailoverTTLIsTheRRsets: a slot filled with a failover TTL
// beside a static record of its type makes one RRset with one TTL, the
// lowest (RFC 2181 5.2), not an RRset of mixed TTLs, which NSD warns of
// and a resolver treats as the lowest anyway.
func TestASlotsFailoverTTLIsTheRRsets(t *testing.T) {
	text := slotZone + "www IN A 127.0.0.11\n"
	base := buildSlots(t, text, 5) // www A 127.0.0.10, the slot; 127.0.0.11 static, TTL 300
	fill := func(s Slot) ([]netip.Addr, uint32, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.12")}, 60, nil
	}
	v := mustVersion(t, base, 1, fill)
	got := lookup(t, v, "www.example.com.", dns.TypeA)
	want := []string{"www.example.com.\t60\tIN\tA\t127.0.0.11", "www.example.com.\t60\tIN\tA\t127.0.0.12"}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("www A = %q, want %q", got, want)
	}
	if txt := lookup(t, v, "www.example.com.", dns.TypeTXT); len(txt) != 1 || !strings.Contains(txt[0], "\t300\t") {
		t.Errorf("www TXT = %q: another type keeps its TTL", txt)
	}
}
