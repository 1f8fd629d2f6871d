package templates

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		deflt  string // default service; "web" unless noDefault
		noDflt bool
		want   string
	}{
		{name: "unknown marker", text: "www IN A @IPv4@\n",
			want: `t.tmpl:1: unknown marker "@IPv4@"`},
		{name: "markers are case sensitive", text: "www IN A @ip@\n",
			want: `t.tmpl:1: unknown marker "@ip@"`},
		{name: "empty service name", text: "www IN A @IP:@\n",
			want: `t.tmpl:1: unknown marker "@IP:@"`},
		{name: "no bare IPv6 marker", text: "www IN AAAA @IPV6@\n",
			want: `t.tmpl:1: unknown marker "@IPV6@"`},
		{name: "marker-shaped text in a comment", text: "www IN A 192.0.2.1 ; ask me@home or @IP@\n",
			want: `t.tmpl:1: unknown marker "@home or @"`},
		{name: "unknown service", text: "\n\nwww IN A @IP:ftp@\n",
			want: `t.tmpl:3: @IP:ftp@: unknown service "ftp"`},
		{name: "bare IP without default service", text: "www IN A @IP@\n", noDflt: true,
			want: `t.tmpl:1: @IP@ needs a default service and none is configured; name the service, as in @IP:web@`},
		{name: "default service unknown", text: "www IN A @IP@\n", deflt: "blog",
			want: `t.tmpl:1: @IP@: unknown service "blog"`},
		{name: "target without the family", text: "shop IN AAAA @IPV6:shop@\n",
			want: `t.tmpl:1: @IPV6:shop@: target "backup" of service "shop" has no IPv6 address`},
		{name: "target without the family, comment placement", text: "mail IN AAAA 2001:db8::25 ; @IPV6:mail@\n",
			want: `t.tmpl:1: @IPV6:mail@: target "main" of service "mail" has no IPv6 address`},
		{name: "SOA parenthesis never closed", text: "@ IN SOA ns1 hostmaster (\n 1 ; @serial number@\n 3600 900 1209600 300\nwww IN A @IP@\n",
			want: "t.tmpl:1: this '(' is never closed: every line after it is read as part of its record\n" +
				"t.tmpl:4: @IP@ needs record type A, found SOA"},
		{name: "IP on TXT", text: `x IN TXT "@IP@"` + "\n",
			want: `t.tmpl:1: @IP@ needs record type A, found TXT`},
		{name: "IP on AAAA", text: "www IN AAAA @IP:web@\n",
			want: `t.tmpl:1: @IP:web@ needs record type A, found AAAA`},
		{name: "IPV6 on A", text: "www 300 IN A @IPV6:web@\n",
			want: `t.tmpl:1: @IPV6:web@ needs record type AAAA, found A`},
		{name: "comment IP on MX", text: "@ IN MX 10 mail ; @IP@\n",
			want: `t.tmpl:1: @IP@ needs record type A, found MX`},
		{name: "serial on TXT", text: "v IN TXT @serial number@\n",
			want: `t.tmpl:1: @serial number@ needs record type SOA, found TXT`},
		{name: "marker on a directive", text: "$TTL 300 ; @IP@\n",
			want: `t.tmpl:1: @IP@ needs record type A, found directive $TTL`},
		{name: "record without type", text: "www 300 IN ; @IP@\n",
			want: `t.tmpl:1: @IP@ needs record type A, found no type`},
		{name: "marker as the type", text: "www 300 @IP@\n",
			want: `t.tmpl:1: @IP@ stands where the record type belongs`},
		{name: "marker as the owner", text: "@IP@ IN A 192.0.2.1\n",
			want: `t.tmpl:1: @IP@ stands where the owner name belongs`},
		{name: "two address markers on a line", text: "www IN A @IP@ ; @IP:web@\n",
			want: `t.tmpl:1: more than one address marker in one record: @IP@ and @IP:web@`},
		{name: "two address markers in a record", text: "www IN A (\n @IP@ ) ; @IP:web@\n",
			want: `t.tmpl:2: more than one address marker in one record: @IP@ and @IP:web@`},
		{name: "two serial markers", text: "@ IN SOA ns1 host (\n @serial number@ ; @serial number@\n 3600 900 604800 300 )\n",
			want: `t.tmpl:2: more than one @serial number@ in one record`},
		{name: "comment marker after the type", text: "www IN A ; @IP@\n",
			want: `t.tmpl:1: comment marker @IP@ has no value before it to replace`},
		{name: "comment serial on an SOA without a serial", text: "@ IN SOA ns1 host ; @serial number@\n",
			want: `t.tmpl:1: @serial number@: the SOA record has no serial (its third rdata field)`},
		{name: "comment serial on a comment-only line of an SOA without a serial", text: "@ IN SOA ns1 (\n ; @serial number@\n host )\n",
			want: `t.tmpl:2: @serial number@: the SOA record has no serial (its third rdata field)`},
		{name: "comment serial on a one-line SOA, and inline", text: "@ IN SOA ns1 host @serial number@ 3600 900 604800 300 ; @serial number@\n",
			want: `t.tmpl:1: more than one @serial number@ in one record`},
		{name: "comment address marker on an SOA line", text: "@ IN SOA ns1 host 1 3600 900 604800 300 ; @IP@\n",
			want: `t.tmpl:1: @IP@ needs record type A, found SOA`},
		{name: "NUL byte", text: "www IN A 192.0.2.1\n@ IN TXT \"a\x00b\"\n",
			want: `t.tmpl:2:12: NUL byte (0x00): a template holds printable text and tabs only`},
		{name: "NUL byte in a comment-only line", text: "; \x00\n",
			want: `t.tmpl:1:3: NUL byte (0x00): a template holds printable text and tabs only`},
		{name: "lone carriage return", text: "www IN A 192.0.2.1\r; x\r\n",
			want: `t.tmpl:1:19: carriage return (0x0D) not followed by a line feed: a template holds printable text and tabs only`},
		{name: "carriage return at the end without a line feed", text: "www IN A 192.0.2.1\r",
			want: `t.tmpl:1:19: carriage return (0x0D) not followed by a line feed: a template holds printable text and tabs only`},
		{name: "escape, DEL, form feed, one per line", text: "; \x1b[1m\n\x7f\n\x0c\x00\n",
			want: "t.tmpl:1:3: escape character (0x1B): a template holds printable text and tabs only\n" +
				"t.tmpl:2:1: DEL character (0x7F): a template holds printable text and tabs only\n" +
				"t.tmpl:3:1: control character 0x0C: a template holds printable text and tabs only"},
		{name: "a binary file", text: strings.Repeat("\x01\n", 13),
			want: strings.Repeat("t.tmpl:N:1: control character 0x01: a template holds printable text and tabs only\n", 10) +
				"t.tmpl:11: control characters on this line and 2 more after it"},
		{name: "control byte and a marker error both reported", text: "www IN A @IP:ftp@\x02\n",
			want: "t.tmpl:1:18: control character 0x02: a template holds printable text and tabs only\n" +
				`t.tmpl:1: @IP:ftp@: unknown service "ftp"`},
		{name: "a string over 255 bytes", text: `txt IN TXT "ok" "` + strings.Repeat("a", 256) + `"` + "\n",
			want: `t.tmpl:1:17: a quoted string of 256 bytes: a record holds strings of 255 bytes at most (RFC 1035 3.3), and NSD and BIND refuse the zone; split it into several quoted strings`},
		{name: "escapes count as one byte each", text: `txt IN TXT "` + strings.Repeat(`\255`, 200) + strings.Repeat(`\"`, 56) + `"` + "\n",
			want: `t.tmpl:1:12: a quoted string of 256 bytes: a record holds strings of 255 bytes at most (RFC 1035 3.3), and NSD and BIND refuse the zone; split it into several quoted strings`},
		{name: "inline serial on refresh", text: "@ IN SOA ns1 host 1 @serial number@ 900 604800 300\n",
			want: `t.tmpl:1: @serial number@ stands in rdata field 4, want field 3`},
		{name: "inline address after the address", text: "www IN A 192.0.2.1 @IP@\n",
			want: `t.tmpl:1: @IP@ stands in rdata field 2, want field 1`},
		{name: "marker inside a field", text: "www IN A x@IP@\n",
			want: `t.tmpl:1: @IP@ must stand alone as a field, not inside x@IP@`},
		{name: "quoted marker", text: `www IN A "@IP@"` + "\n",
			want: `t.tmpl:1: @IP@ must stand alone as a field, not inside "@IP@"`},
		{name: "every error is reported", text: "www IN A @IP@\nwww IN A @nope@\n\nftp IN A @IP:ftp@\n",
			want: "t.tmpl:2: unknown marker \"@nope@\"\nt.tmpl:4: @IP:ftp@: unknown service \"ftp\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			deflt := tt.deflt
			if deflt == "" && !tt.noDflt {
				deflt = "web"
			}
			tmpl, err := Parse("t.tmpl", []byte(tt.text), testServices(), deflt)
			if err == nil {
				t.Fatalf("Parse succeeded, want %s", tt.want)
			}
			if tmpl != nil {
				t.Error("Parse returned a template along with an error")
			}
			want := tt.want
			for n := 1; strings.Contains(want, ":N:"); n++ {
				want = strings.Replace(want, ":N:", fmt.Sprintf(":%d:", n), 1)
			}
			if err.Error() != want {
				t.Errorf("error\n got: %s\nwant: %s", err, want)
			}
			var le *LineError
			if !errors.As(err, &le) || le.File != "t.tmpl" || le.Line < 1 {
				t.Errorf("error %v is not a *LineError for t.tmpl", err)
			}
		})
	}
}

// TestParseLeavesNonMarkers: text with '@' that is no marker passes Parse
// and renders unchanged.
func TestParseLeavesNonMarkers(t *testing.T) {
	tests := []string{
		"@ IN NS ns1\n",
		"@\tIN\tMX\t10\t@\n",
		"@ IN MX 10 @ ; mail at the apex @\n",
		`@ IN TXT "contact: hostmaster@example.com; or @ the desk"` + "\n",
		"@IP without a closing at-sign\n",
		"x IN TXT \"@\" ; @1@ starts with a digit\n",
		"x IN A 192.0.2.1 ; @\t@IP tab breaks it\n",
		"$TTL 1h\n$ORIGIN example.com.\n",
		"no newline at the end",
	}
	for _, text := range tests {
		tmpl, err := Parse("t.tmpl", []byte(text), testServices(), "")
		if err != nil {
			t.Errorf("Parse(%q): %v", text, err)
			continue
		}
		got, err := tmpl.Render(Values{Serial: 1})
		if err != nil {
			t.Errorf("Render(%q): %v", text, err)
			continue
		}
		if string(got) != text {
			t.Errorf("Render(%q) = %q, want it unchanged", text, got)
		}
	}
}
