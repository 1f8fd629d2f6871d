package zones

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// readBoth reads text the Builder's way (the fast reader, falling back to
// the parser) and the parser's way alone, and returns what each made of
// it: the records of the version, the slots, or the error. Lines whose
// number slotEvery divides are slots (0: none).
func readBoth(t testing.TB, text []byte, slotEvery int) (fast, parser string, tookFast bool) {
	t.Helper()
	slotAt := func(line int) (string, bool) {
		if slotEvery == 0 || line%slotEvery != 0 {
			return "", false
		}
		return fmt.Sprintf("svc%d", line), true
	}
	build := func(read func(b *Builder) error) string {
		b, err := NewBuilder("example.com", "t.zone", 16)
		if err != nil {
			t.Fatal(err)
		}
		if err := read(b); err != nil {
			return "error: " + err.Error()
		}
		base, err := b.Finish()
		if err != nil {
			return "error: " + err.Error()
		}
		v, err := NewVersion(base, 1, func(s Slot) ([]netip.Addr, uint32, error) {
			if s.Type == dns.TypeAAAA {
				return []netip.Addr{netip.MustParseAddr("2001:db8::7")}, 60, nil
			}
			return []netip.Addr{netip.MustParseAddr("192.0.2.7")}, 60, nil
		})
		if err != nil {
			return "error: " + err.Error()
		}
		var sb strings.Builder
		for _, rr := range v.AllRecords() {
			sb.WriteString(rr.String() + "\n")
		}
		for _, s := range base.Slots() {
			fmt.Fprintf(&sb, "slot %+v\n", s)
		}
		return sb.String()
	}
	fast = build(func(b *Builder) error { return b.ReadText(text, ParseOptions{}, slotAt) })
	parser = build(func(b *Builder) error {
		return ReadRecords(b.origin, b.file, text, ParseOptions{}, func(rr dns.RR, line int) error {
			if key, ok := slotAt(line); ok {
				return b.AddSlot(rr, line, key)
			}
			return b.Add(rr, line)
		})
	})
	b, err := NewBuilder("example.com", "t.zone", 16)
	if err != nil {
		t.Fatal(err)
	}
	return fast, parser, readFast(b, text, slotAt)
}

const fastHead = "$ORIGIN example.com.\n$TTL 3600\n@ IN SOA ns1 hostmaster ( 1 3600 900 1209600 300 ) ; serial\n  IN NS ns1\n  IN NS ns2.example.com.\nns1 IN A 192.0.2.53\nns2 300 IN A 192.0.2.54\n"

// TestFastReadAgrees reads zones both ways: the same records, slots and
// errors, and the fast reader takes the zones it is meant for.
func TestFastReadAgrees(t *testing.T) {
	cases := []struct {
		name     string
		text     string
		slots    int
		wantFast bool
	}{
		{"plain", fastHead + "www IN A 192.0.2.1\nwww IN AAAA 2001:db8::1\nftp CNAME www\nmail 60 IN A 192.0.2.25 ; a comment\n", 0, true},
		{"ttl and class either way", fastHead + "a 60 IN A 192.0.2.1\nb IN 70 A 192.0.2.2\nc in 1h30m a 192.0.2.3\nd 1W AAAA ::ffff:192.0.2.4\n", 0, true},
		{"blank owners", fastHead + "www A 192.0.2.1\n  AAAA 2001:db8::1\n\t300 A 192.0.2.2\n  MX 10 mail\n  A 192.0.2.3\nmail A 192.0.2.25\n", 0, true},
		{"crlf", strings.ReplaceAll(fastHead+"www A 192.0.2.1\nx TXT hello\n", "\n", "\r\n"), 0, true},
		{"ttl without directive", "@ IN SOA ns1.example.com. h.example.com. 1 2 3 4 5\n@ 300 NS ns1\nns1 A 192.0.2.1\nb 60 A 192.0.2.2\nc A 192.0.2.3\n", 0, true},
		{"ttl directive kept", fastHead + "a 60 A 192.0.2.1\nb A 192.0.2.2\n$TTL 120\nc A 192.0.2.3\n", 0, true},
		{"origin changes", fastHead + "$ORIGIN sub.example.com.\nwww A 192.0.2.1\nalias CNAME www\nmx MX 10 www\n$ORIGIN example.com.\nx CNAME sub\n", 0, true},
		{"relative origin", fastHead + "$ORIGIN sub\nwww A 192.0.2.1\n", 0, true},
		{"other types between", fastHead + "a A 192.0.2.1\nt TXT \"v=spf1 -all\" ; q\na2 A 192.0.2.2\ns SRV 0 5 80 a\nc CAA 0 issue \"ca.example\"\nm MX ( 10\n  a ) ; multi\nz A 192.0.2.9\n", 0, true},
		{"wildcard and underscore", fastHead + "*.w A 192.0.2.1\n_dmarc TXT x\n_x._tcp CNAME a\na A 192.0.2.1\n", 0, true},
		{"slots", fastHead + "www A 192.0.2.1\nv6 AAAA 2001:db8::1\nweb A 192.0.2.2\nx A 192.0.2.3\nw6 AAAA 2001:db8::2\nm TXT t\nv4 A 192.0.2.4\n", 8, true},
		{"slot on a non-address", fastHead + "www A 192.0.2.1\nv6 AAAA 2001:db8::1\nc CNAME www\n", 10, false},
		{"outside the zone", fastHead + "www.example.org. A 192.0.2.1\nx.example.org. CNAME www.example.com.\n", 0, true},
		{"validation errors", fastHead + "www A 192.0.2.1\nwww CNAME x\nx CNAME www\nns3 NS nowhere\n@ NS ns3\n", 0, true},
		{"duplicate", fastHead + "www A 192.0.2.1\nwww A 192.0.2.1\nwww 60 A 192.0.2.1\n", 0, true},
		// What the fast reader leaves to the parser: the same result, read
		// the parser's way.
		{"generate", fastHead + "$GENERATE 1-3 h$ A 192.0.2.$\n", 0, false},
		{"include", fastHead + "$INCLUDE other.zone\n", 0, false},
		{"escaped owner", fastHead + "w\\046w A 192.0.2.1\n", 0, false},
		{"bad address", fastHead + "www A 192.0.2.300\n", 0, false},
		{"a with v6", fastHead + "www A 2001:db8::1\n", 0, false},
		{"aaaa with v4", fastHead + "www AAAA 192.0.2.1\n", 0, false},
		{"zone in address", fastHead + "www AAAA fe80::1%eth0\n", 0, false},
		{"extra token", fastHead + "www A 192.0.2.1 192.0.2.2\n", 0, false},
		{"no data", fastHead + "www A\n", 0, false},
		{"owner alone", fastHead + "www\n", 0, false},
		{"two ttls", fastHead + "www 60 70 A 192.0.2.1\n", 0, false},
		{"not a ttl", fastHead + "www sixty A 192.0.2.1\n", 0, false},
		{"other class", fastHead + "www CH A 192.0.2.1\n", 0, false},
		{"generic type", fastHead + "www TYPE1 \\# 4 c0000201\n", 0, false},
		{"blank owner first", "  A 192.0.2.1\n" + fastHead, 0, false},
		{"empty label", fastHead + "a..b A 192.0.2.1\n", 0, false},
		{"long label", fastHead + strings.Repeat("x", 64) + " A 192.0.2.1\n", 0, false},
		{"long name", fastHead + strings.Repeat("abcdefghij.", 24) + " A 192.0.2.1\n", 0, false},
		{"cr inside", fastHead + "www A 192.0.2.1\r\r\n", 0, false},
		{"open paren", fastHead + "m MX ( 10 a\n", 0, false},
		{"extra brace", fastHead + "m MX 10 a )\n", 0, false},
		{"quote across lines", fastHead + "t TXT \"a\nb\"\nz A 192.0.2.9\n", 0, true},
		{"no trailing newline", fastHead + "www A 192.0.2.1", 0, true},
		{"parens at the end", fastHead + "m MX ( 10 a )", 0, true},
		{"cname outside and relative", fastHead + "c CNAME other.org.\nd CNAME @\n", 0, true},
		{"no soa", "www A 192.0.2.1\n", 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fast, parser, tookFast := readBoth(t, []byte(c.text), c.slots)
			if fast != parser {
				t.Errorf("the Builder read\n%s\nthe parser alone read\n%s", fast, parser)
			}
			if tookFast != c.wantFast {
				t.Errorf("fast reader finished: %v, want %v (result: %s)", tookFast, c.wantFast, fast)
			}
		})
	}
}

// TestFastReadTestdata reads every zone under testdata both ways.
func TestFastReadTestdata(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.zone"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test zones: %v", err)
	}
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if fast, parser, _ := readBoth(t, text, 0); fast != parser {
			t.Errorf("%s: the Builder read\n%s\nthe parser alone read\n%s", f, fast, parser)
		}
	}
}

// FuzzFastRead: whatever the text, the Builder's reading and the parser's
// alone agree, records, slots and errors.
func FuzzFastRead(f *testing.F) {
	f.Add([]byte(fastHead+"www A 192.0.2.1\n  AAAA ::1\nc CNAME www\n"), 2)
	f.Add([]byte(fastHead+"t TXT \"a;b\" ; c\nm MX ( 10\n a )\nx 1h IN A 192.0.2.1\n"), 0)
	f.Add([]byte("$TTL 60\n$ORIGIN example.com.\n@ SOA a b 1 2 3 4 5\n@ NS a\na A 192.0.2.1\n"), 3)
	f.Fuzz(func(t *testing.T, text []byte, slotEvery int) {
		if slotEvery < 0 || slotEvery > 50 {
			slotEvery = 0
		}
		if fast, parser, _ := readBoth(t, text, slotEvery); fast != parser {
			t.Fatalf("the Builder read\n%s\nthe parser alone read\n%s", fast, parser)
		}
	})
}

// FuzzParseIPv4: the fast reader's IPv4 reading takes what net.ParseIP
// takes as an IPv4 address written without ':', and gives the same bytes.
func FuzzParseIPv4(f *testing.F) {
	for _, s := range []string{"192.0.2.1", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.", ".1.2.3.4", "1..2.3", "1.2.3.04", "1.2.3.0", "10.0.0.1x", "", "1.2.3.4.5", "::ffff:1.2.3.4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := parseIPv4([]byte(s))
		ip := net.ParseIP(s)
		want := ip != nil && !strings.Contains(s, ":")
		if ok != want {
			t.Fatalf("parseIPv4(%q) ok = %v, net.ParseIP says %v", s, ok, ip)
		}
		if ok && !net.IP(a[:]).Equal(ip) {
			t.Fatalf("parseIPv4(%q) = %v, net.ParseIP = %v", s, a, ip)
		}
	})
}
