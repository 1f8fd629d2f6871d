package templates

import (
	"bytes"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// oneEach is a render with one address per service.
var oneEach = Values{
	Serial: 2024010203,
	Active: map[string]Addrs{
		"web":  {IPv4: addrs("203.0.113.7"), IPv6: addrs("2001:db8::7")},
		"mail": {IPv4: addrs("203.0.113.25")},
	},
}

func TestRenderGolden(t *testing.T) {
	tests := []struct {
		name string // testdata/render/<name>.tmpl renders to <name>.zone
		v    Values
	}{
		{name: "inline", v: oneEach},
		{name: "comment", v: oneEach},
		{name: "original-oneline", v: oneEach},
		{name: "original-paren", v: oneEach},
		{name: "multi", v: Values{
			Serial: 7,
			Active: map[string]Addrs{
				"web":  {IPv4: addrs("203.0.113.7", "203.0.113.8"), IPv6: addrs("2001:db8::7", "2001:db8::8")},
				"mail": {IPv4: addrs("203.0.113.25", "203.0.113.26")},
			},
			TTL: map[string]uint32{"web": 60},
		}},
		{name: "crlf-noeol", v: Values{
			Serial: 4294967295,
			Active: map[string]Addrs{"web": {IPv4: addrs("203.0.113.7", "203.0.113.8")}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := mustParse(t, tt.name+".tmpl", readTestdata(t, "render/"+tt.name+".tmpl"))
			got, err := tmpl.Render(tt.v)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			want := readTestdata(t, "render/"+tt.name+".zone")
			if !bytes.Equal(got, want) {
				t.Errorf("Render mismatch\n--- got ---\n%s\n--- want ---\n%s", got, want)
			}
			checkZone(t, got)
		})
	}
}

// checkZone feeds rendered text through the DNS zone parser, as the zones
// package will, so a golden file cannot drift into something unservable.
func checkZone(t *testing.T, text []byte) {
	t.Helper()
	zp := dns.NewZoneParser(bytes.NewReader(text), "example.com.", "rendered")
	n := 0
	for _, ok := zp.Next(); ok; _, ok = zp.Next() {
		n++
	}
	if err := zp.Err(); err != nil {
		t.Fatalf("rendered zone does not parse: %v", err)
	}
	if n == 0 {
		t.Fatal("rendered zone holds no records")
	}
}

// TestRenderCommentOutputIsATemplate: comment markers survive rendering,
// so a rendered file parses as a template and renders the same again.
func TestRenderCommentOutputIsATemplate(t *testing.T) {
	first, err := mustParse(t, "comment.tmpl", readTestdata(t, "render/comment.tmpl")).Render(oneEach)
	if err != nil {
		t.Fatal(err)
	}
	second, err := mustParse(t, "comment.zone", first).Render(oneEach)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Errorf("second render differs\n--- first ---\n%s\n--- second ---\n%s", first, second)
	}
}

// TestRenderPure: rendering is deterministic and leaves the template as it
// was, whatever was rendered in between.
func TestRenderPure(t *testing.T) {
	tmpl := mustParse(t, "multi.tmpl", readTestdata(t, "render/multi.tmpl"))
	other := Values{
		Serial: 1,
		Active: map[string]Addrs{
			"web":  {IPv4: addrs("198.51.100.1", "198.51.100.2", "198.51.100.3"), IPv6: addrs("2001:db8::1")},
			"mail": {IPv4: addrs("198.51.100.9")},
		},
		TTL: map[string]uint32{"web": 5, "mail": 10},
	}
	before, err := tmpl.Render(oneEach)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmpl.Render(other); err != nil {
		t.Fatal(err)
	}
	after, err := tmpl.Render(oneEach)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("render changed after another render\n--- before ---\n%s\n--- after ---\n%s", before, after)
	}
}

func TestRenderErrors(t *testing.T) {
	const text = "$ORIGIN example.com.\n" +
		"@ IN SOA ns1 host 1 3600 900 604800 300\n" +
		"www IN A @IP@\n" +
		"www IN AAAA @IPV6:web@\n" +
		"mail IN A 192.0.2.25 ; @IP:mail@\n"
	tests := []struct {
		name string
		v    Values
		want string
	}{
		{
			name: "no addresses for any service",
			v:    Values{Serial: 1},
			want: `t.tmpl:3: @IP@: no IPv4 address given for service "web"` + "\n" +
				`t.tmpl:4: @IPV6:web@: no IPv6 address given for service "web"` + "\n" +
				`t.tmpl:5: @IP:mail@: no IPv4 address given for service "mail"`,
		},
		{
			name: "wrong families",
			v: Values{Active: map[string]Addrs{
				"web":  {IPv4: addrs("2001:db8::7"), IPv6: addrs("203.0.113.7")},
				"mail": {IPv4: addrs("203.0.113.25")},
			}},
			want: `t.tmpl:3: @IP@: service "web": address 2001:db8::7 is not IPv4` + "\n" +
				`t.tmpl:4: @IPV6:web@: service "web": address 203.0.113.7 is not IPv6`,
		},
		{
			name: "mapped IPv4 in the IPv6 list, zoned IPv6",
			v: Values{Active: map[string]Addrs{
				"web":  {IPv4: addrs("203.0.113.7"), IPv6: addrs("::ffff:203.0.113.7")},
				"mail": {IPv4: []netip.Addr{{}}},
			}},
			want: `t.tmpl:4: @IPV6:web@: service "web": address ::ffff:203.0.113.7 is not IPv6` + "\n" +
				`t.tmpl:5: @IP:mail@: service "mail": address invalid IP is not IPv4`,
		},
		{
			name: "zoned IPv6",
			v: Values{Active: map[string]Addrs{
				"web":  {IPv4: addrs("203.0.113.7"), IPv6: addrs("fe80::1%eth0")},
				"mail": {IPv4: addrs("203.0.113.25")},
			}},
			want: `t.tmpl:4: @IPV6:web@: service "web": address fe80::1%eth0 has a zone, which a zone file cannot hold`,
		},
	}
	tmpl := mustParse(t, "t.tmpl", []byte(text))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tmpl.Render(tt.v)
			if err == nil {
				t.Fatalf("Render succeeded:\n%s", out)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
			var le *LineError
			if !errors.As(err, &le) || le.File != "t.tmpl" {
				t.Errorf("error %v is not a *LineError for t.tmpl", err)
			}
		})
	}
}

// TestRenderMappedIPv4: an IPv4-mapped IPv6 address in the IPv4 list is
// published as plain IPv4.
func TestRenderMappedIPv4(t *testing.T) {
	tmpl := mustParse(t, "t.tmpl", []byte("www IN A @IP@\n"))
	got, err := tmpl.Render(Values{Active: map[string]Addrs{"web": {IPv4: addrs("::ffff:203.0.113.7")}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "www IN A 203.0.113.7\n"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestTemplateAccessors(t *testing.T) {
	tests := []struct {
		text     string
		services []string
		serial   bool
	}{
		{text: "; nothing\n", services: nil, serial: false},
		{text: "@ IN SOA a b @serial number@ 1 2 3 4\nwww IN A @IP@\nx IN A @IP:web@\nm IN A 1.2.3.4 ; @IP:mail@\n", services: []string{"mail", "web"}, serial: true},
	}
	for _, tt := range tests {
		tmpl := mustParse(t, "t.tmpl", []byte(tt.text))
		if tmpl.File() != "t.tmpl" {
			t.Errorf("File() = %q", tmpl.File())
		}
		if got := tmpl.Services(); !slices.Equal(got, tt.services) {
			t.Errorf("%q: Services() = %q, want %q", tt.text, got, tt.services)
		}
		if got := tmpl.HasSerial(); got != tt.serial {
			t.Errorf("%q: HasSerial() = %v, want %v", tt.text, got, tt.serial)
		}
	}
}

// TestRenderAnchorsIncludes: an $INCLUDE of a relative path is written
// with the path from the template's directory, where zonerw read it; the
// nameserver loading the output file from elsewhere found nothing.
func TestRenderAnchorsIncludes(t *testing.T) {
	text := "$INCLUDE common.zone ; shared records\n$include\tsub/more.zone example.com.\n$INCLUDE /etc/abs.zone\n@ IN A @IP@\n"
	out, err := mustParse(t, "/etc/zonerw/example.com.tmpl", []byte(text)).Render(oneEach)
	if err != nil {
		t.Fatal(err)
	}
	want := "$INCLUDE /etc/zonerw/common.zone ; shared records\n$include\t/etc/zonerw/sub/more.zone example.com.\n$INCLUDE /etc/abs.zone\n"
	if !strings.HasPrefix(string(out), want) {
		t.Errorf("rendered:\n%s\nwant it to begin:\n%s", out, want)
	}
}
