package templates

import (
	"slices"
	"strings"
	"testing"
)

func TestMarkerRecords(t *testing.T) {
	text := "$TTL 300\n@ IN SOA ns1 host ( @serial number@ 1 2 3 4 )\nwww IN A (\n @IP@ )\nwww IN AAAA 2001:db8::1 ; @IPV6:web@\nmail IN A @IP:mail@\n"
	got := mustParse(t, "m.tmpl", []byte(text)).MarkerRecords()
	want := []MarkerRecord{{First: 3, Last: 4, Service: "web"}, {First: 5, Last: 5, Service: "web", IPv6: true}, {First: 6, Last: 6, Service: "mail"}}
	if !slices.Equal(got, want) {
		t.Errorf("MarkerRecords = %+v, want %+v", got, want)
	}
}

func TestCheckTTLOverride(t *testing.T) {
	tests := []struct {
		name, text string
		want       string
	}{
		{name: "$TTL first", text: "$TTL 300\nwww IN A @IP@\nftp IN A 192.0.2.9\n"},
		{name: "next record has its own TTL", text: "www IN A @IP@\nftp 300 IN A 192.0.2.9\n"},
		{name: "service without override", text: "mail IN A @IP:mail@\nftp IN A 192.0.2.9\n"},
		{name: "$TTL after the marker", text: "www IN A @IP@\n$TTL 300\nftp IN A 192.0.2.9\n"},
		{name: "inheriting record", text: "www IN A @IP@\n\n; ftp\nftp IN A 192.0.2.9\n",
			want: "t.tmpl:4: this record has no TTL and no $TTL line comes before it, so it would take the failover_ttl of the marker record on line 1; add a $TTL line at the top of the template or give this record a TTL"},
		{name: "marker of another service inherits too", text: "www 60 IN A @IP@\nmail IN A @IP:mail@\nftp 300 IN A 192.0.2.9\n",
			want: "t.tmpl:2: this record has no TTL and no $TTL line comes before it, so it would take the failover_ttl of the marker record on line 1; add a $TTL line at the top of the template or give this record a TTL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := mustParse(t, "t.tmpl", []byte(tt.text)).CheckTTLOverride(map[string]bool{"web": true})
			if got := errString(err); got != tt.want {
				t.Errorf("error %q\nwant %q", got, tt.want)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// FuzzPlainTTL holds the plain-line shortcut to the lexer: for a line
// the shortcut takes, it says what the full lexing says about the TTL.
func FuzzPlainTTL(f *testing.F) {
	for _, s := range []string{"www IN A 192.0.2.1", "www 300 IN A 192.0.2.1", "  IN 1h AAAA ::1", "\tA 192.0.2.1",
		"300 IN A 192.0.2.1", "www CH 60 TXT x", "www", "x IN", "IN IN A 1.2.3.4", "a 1W IN MX 10 b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsAny(s, "\n") || !plainLine(s) {
			return
		}
		lexed := []lexedLine{lexLine(s)}
		if len(lexed[0].tokens) == 0 {
			return
		}
		r := newRecord(lineSpan{first: 0, last: 0, isRecord: true}, []srcLine{{text: s}}, lexed)
		if got, want := plainTTL(s), ttlRole(r, []srcLine{{text: s}}); got != want {
			t.Fatalf("%q: plainTTL %v, the lexer %v", s, got, want)
		}
	})
}
