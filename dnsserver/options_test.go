package dnsserver

import (
	"encoding/binary"
	"net"
	"testing"

	"github.com/miekg/dns"
)

// rawWithOPT is the query for www.example.com A with an OPT record holding
// the raw options opts, then the records after (raw, counted in the
// additional section).
func rawWithOPT(t *testing.T, opts []byte, after ...[]byte) []byte {
	t.Helper()
	b, err := query("www.example.com.", dns.TypeA).Pack()
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, 0, 0, byte(dns.TypeOPT), 0x04, 0xd0, 0, 0, 0, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(len(opts)))
	b = append(b, opts...)
	for _, rr := range after {
		b = append(b, rr...)
	}
	binary.BigEndian.PutUint16(b[10:], uint16(1+len(after)))
	return b
}

// rawOption is one EDNS option: code, length, data.
func rawOption(code uint16, data ...byte) []byte {
	o := binary.BigEndian.AppendUint16(nil, code)
	o = binary.BigEndian.AppendUint16(o, uint16(len(data)))
	return append(o, data...)
}

// TestBrokenOptionsAreIgnored: a client subnet option the dns package
// cannot parse (an unknown family, a prefix longer than the address) is
// ignored, as NSD and Knot ignore it, over UDP and TCP: the query is
// answered, with the OPT. An option that runs past its record is
// FORMERR, with the question, as from Knot. (A cookie of a length RFC
// 7873 does not allow is FORMERR too: cookie_test.go.)
func TestBrokenOptionsAreIgnored(t *testing.T) {
	s := newTestServer(t, Config{})
	addr := startServer(t, s)
	udp, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	nsid := rawOption(dns.EDNS0NSID)
	cases := []struct {
		name    string
		opts    []byte
		formerr bool
	}{
		{"subnet of family 3", rawOption(dns.EDNS0SUBNET, 0, 3, 24, 0, 192, 0, 2), false},
		{"subnet /40 of an IPv4 address", rawOption(dns.EDNS0SUBNET, 0, 1, 40, 0, 192, 0, 2, 1, 1), false},
		{"subnet of family 3 after an NSID", append(append([]byte{}, nsid...), rawOption(dns.EDNS0SUBNET, 0, 3, 24, 0, 192, 0, 2)...), false},
		{"well-formed subnet", rawOption(dns.EDNS0SUBNET, 0, 1, 24, 0, 192, 0, 2), false},
		{"option past its record", rawOption(10, 'a', 'b', 'c', 'd')[:6], true},
	}
	for _, tc := range cases {
		b := rawWithOPT(t, tc.opts)
		for _, network := range []string{"udp", "tcp"} {
			var r *dns.Msg
			if network == "udp" {
				udp.Write(b)
				r = readUDP(t, udp)
			} else {
				c := dial(t, addr)
				c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(b))), b...))
				r = readTCP(t, c)
			}
			if tc.formerr {
				if r.Rcode != dns.RcodeFormatError || len(r.Question) != 1 || r.Question[0].Name != "www.example.com." {
					t.Errorf("%s over %s: rcode %s, question %v; want FORMERR with the question", tc.name, network, dns.RcodeToString[r.Rcode], r.Question)
				}
				continue
			}
			if r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 || r.IsEdns0() == nil {
				t.Errorf("%s over %s: %v; want the answer with an OPT", tc.name, network, r)
			}
		}
	}
}

// TestDropBrokenOptionsLeavesAlone: nothing is taken out of a signed
// query (the MAC covers the bytes), of one whose OPT is not its last
// record, or of one whose options all parse.
func TestDropBrokenOptionsLeavesAlone(t *testing.T) {
	bad := rawOption(dns.EDNS0SUBNET, 0, 3, 24, 0, 192, 0, 2)
	if got := dropBrokenOptions(rawWithOPT(t, bad)); got == nil {
		t.Fatal("the broken subnet option is not taken out")
	} else if r := new(dns.Msg); r.Unpack(got) != nil || r.IsEdns0() == nil || len(r.IsEdns0().Option) != 0 {
		t.Errorf("after taking it out: %v", r)
	}
	// A record after the OPT: an A record owned by the root.
	a := []byte{0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1}
	tsig := []byte{0, 0, byte(dns.TypeTSIG), 0, 255, 0, 0, 0, 0, 0, 0}
	for name, b := range map[string][]byte{
		"OPT before another record": rawWithOPT(t, bad, a),
		"signed":                    rawWithOPT(t, bad, tsig),
		"options that parse":        rawWithOPT(t, rawOption(dns.EDNS0SUBNET, 0, 1, 24, 0, 192, 0, 2)),
	} {
		if !layoutOK(b) {
			t.Fatalf("%s: the test's message has a broken layout", name)
		}
		if got := dropBrokenOptions(b); got != nil {
			t.Errorf("%s: options taken out", name)
		}
	}
}
