package zones

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseInvalidZones(t *testing.T) {
	tests := []struct {
		file    string // in testdata; or text below
		text    string
		wantErr string
	}{
		{file: "invalid-no-soa.zone",
			wantErr: "testdata/invalid-no-soa.zone: example.com. SOA: no SOA record at the apex"},
		{file: "invalid-two-soa.zone",
			wantErr: "testdata/invalid-two-soa.zone:5: example.com. SOA: second SOA record at the apex"},
		{file: "invalid-soa-not-apex.zone",
			wantErr: "testdata/invalid-soa-not-apex.zone:5: www.example.com. SOA: SOA record not at the zone apex example.com."},
		{file: "invalid-no-apex-ns.zone",
			wantErr: "testdata/invalid-no-apex-ns.zone: example.com. NS: no NS record at the apex"},
		{file: "invalid-cname-and-other.zone",
			wantErr: "testdata/invalid-cname-and-other.zone:5: www.example.com. CNAME: CNAME beside other data (MX, TXT)"},
		{file: "invalid-cname-at-apex.zone",
			wantErr: "testdata/invalid-cname-at-apex.zone:5: example.com. CNAME: CNAME beside other data (SOA, NS)"},
		{file: "invalid-two-cnames.zone",
			wantErr: "testdata/invalid-two-cnames.zone:5: www.example.com. CNAME: 2 CNAME records at one name, at most one allowed"},
		{file: "invalid-outside-zone.zone",
			wantErr: "testdata/invalid-outside-zone.zone:5: www.example.org. A: outside the zone example.com."},
		{file: "invalid-ns-no-address.zone",
			wantErr: "testdata/invalid-ns-no-address.zone:4: example.com. NS: name server ns2.example.com. is inside the zone but has no A or AAAA record"},
		{file: "invalid-glue-missing.zone",
			wantErr: "testdata/invalid-glue-missing.zone:5: lab.example.com. NS: name server ns.lab.example.com. is inside the zone but has no A or AAAA record"},
		{file: "invalid-class.zone",
			wantErr: "testdata/invalid-class.zone:5: txt.example.com. TXT: class CH is not supported, only IN"},
		{file: "invalid-meta-type.zone",
			wantErr: "testdata/invalid-meta-type.zone:5: example.com. OPT: type OPT cannot appear in a zone"},
		{
			file: "multi-line.zone", // a multi-line record is reported at its first line
			text: "$TTL 300\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ NS ns1\nns1 A 127.0.0.53\n" +
				"; a comment line\n\n@ SOA ns1 hostmaster (\n 2 7200\n 3600 1209600 300 )\n",
			wantErr: "multi-line.zone:7: example.com. SOA: second SOA record at the apex",
		},
		{
			file:    "same-soa.zone", // a second SOA that repeats the first is refused too, as by NSD and BIND
			text:    "$TTL 300\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ NS ns1\nns1 A 127.0.0.53\n",
			wantErr: "same-soa.zone:3: example.com. SOA: second SOA record at the apex",
		},
		{
			file: "generate.zone", // $GENERATE records are placed on the directive's line
			text: "$TTL 300\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ NS ns1\nns1 A 127.0.0.53\n" +
				"$GENERATE 1-2 h$.example.org. A 127.0.0.$\nwww A 127.0.0.10\n",
			wantErr: "generate.zone:5: h1.example.org. A: outside the zone example.com.\n" +
				"generate.zone:5: h2.example.org. A: outside the zone example.com.",
		},
		{
			file: "many.zone", // every problem, by line, whole-zone ones last
			text: "$TTL 300\nwww A 127.0.0.10\nwww CNAME web\nother.test. A 127.0.0.1\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n",
			wantErr: "many.zone:3: www.example.com. CNAME: CNAME beside other data (A)\n" +
				"many.zone:4: other.test. A: outside the zone example.com.\n" +
				"many.zone: example.com. NS: no NS record at the apex",
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			file, text := tt.file, []byte(tt.text)
			if tt.text == "" {
				file = "testdata/" + tt.file
				text = readTestdata(t, tt.file)
			}
			z, err := Parse("example.com", file, text, ParseOptions{})
			if errText(err) != tt.wantErr || z != nil {
				t.Fatalf("Parse = %v, error:\n%s\nwant error:\n%s", z, errText(err), tt.wantErr)
			}
		})
	}
}

func TestParseListsAtMostMaxProblems(t *testing.T) {
	text := "$TTL 300\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ NS ns1\nns1 A 127.0.0.53\n" +
		"$GENERATE 1-25 h${0,2}.example.org. A 127.0.0.$\n"
	want := ""
	for i := 1; i <= maxProblems; i++ {
		want += fmt.Sprintf("many.zone:5: h%02d.example.org. A: outside the zone example.com.\n", i)
	}
	want += "many.zone: and 5 more problems"
	_, err := Parse("example.com", "many.zone", []byte(text), ParseOptions{})
	if errText(err) != want {
		t.Errorf("error:\n%s\nwant:\n%s", errText(err), want)
	}
}

func TestBuilderLimit(t *testing.T) {
	text := "@ 300 SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ NS ns1\nns1 A 127.0.0.53\nns1 A 127.0.0.53\nwww A 127.0.0.10\n"
	tests := []struct {
		limit   int
		wantErr string
	}{
		{limit: 5}, // a duplicate counts as it is read; Finish drops it
		{limit: 4, wantErr: "parse zone example.com.: big.zone:5: more than 4 records"},
	}
	for _, tt := range tests {
		b, err := NewBuilder("example.com.", "big.zone", 0)
		if err != nil {
			t.Fatal(err)
		}
		b.limit = tt.limit
		err = ReadRecords("example.com.", "big.zone", []byte(text), ParseOptions{}, b.Add)
		if errText(err) != tt.wantErr {
			t.Errorf("limit %d: error %q; want %q", tt.limit, errText(err), tt.wantErr)
		}
		if err != nil {
			continue
		}
		base, err := b.Finish()
		if err != nil {
			t.Fatalf("limit %d: Finish: %v", tt.limit, err)
		}
		if v, err := NewVersion(base, 1, nil); err != nil || v.Records() != 4 {
			t.Errorf("limit %d: version %v, %v; want 4 records (the duplicate dropped)", tt.limit, v, err)
		}
	}
}

func TestParseReportsRecordLines(t *testing.T) {
	lines := []string{
		"$TTL 300",
		"@ SOA ns1 hostmaster 1 7200 3600 1209600 300",
		"@ NS ns1",
		"ns1 A 127.0.0.53",
		"other.test. A 127.0.0.1 ; line 5",
		"; a comment",
		"\t A 127.0.0.2 ; no owner: other.test. again, line 7",
		"",
		"$ORIGIN other.test.",
		"x TXT ( \"a\"",
		"  \"b\" ) ; line 10 to 11",
	}
	want := "lines.zone:5: other.test. A: outside the zone example.com.\n" +
		"lines.zone:7: other.test. A: outside the zone example.com.\n" +
		"lines.zone:10: x.other.test. TXT: outside the zone example.com."
	for _, eol := range []string{"\n", "\r\n"} {
		text := strings.Join(lines, eol) + eol
		_, err := Parse("example.com", "lines.zone", []byte(text), ParseOptions{})
		if errText(err) != want {
			t.Errorf("line ends %q: error\n%s\nwant\n%s", eol, errText(err), want)
		}
	}
}
