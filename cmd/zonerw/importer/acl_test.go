package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testKeys = `key:
  name: a
  algorithm: hmac-sha256
  secret: "c2VjcmV0LWE="
key:
  name: b
  algorithm: hmac-sha256
  secret: "c2VjcmV0LWI="
`

// importText writes text as file under a temp dir and imports it.
func importText(t *testing.T, file, text string) *Result {
	t.Helper()
	path := filepath.Join(t.TempDir(), file)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Import(path, Options{KeyDir: "/k"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// notesText joins the notes' texts.
func notesText(r *Result) string {
	var out []string
	for _, n := range r.Notes {
		out = append(out, n.Text)
	}
	return strings.Join(out, "\n")
}

func TestNSDTransferACL(t *testing.T) {
	tests := []struct {
		name    string
		lines   string // provide-xfr lines of the zone
		entries string // allow_transfer: "FROM" plain, "FROM+KEY", "+KEY" from anywhere; space-separated
		note    string // a note that must be there ("" for no note)
	}{
		{name: "none: refused", lines: "", entries: ""},
		{name: "addresses", lines: "provide-xfr: 192.0.2.1 NOKEY\nprovide-xfr: 2001:db8::/64 NOKEY\n",
			entries: "192.0.2.1 2001:db8::/64"},
		{name: "one key from anywhere", lines: "provide-xfr: 0.0.0.0/0 a\nprovide-xfr: ::/0 a\n", entries: "0.0.0.0/0+a ::/0+a"},
		{name: "one key from one family", lines: "provide-xfr: 0.0.0.0/0 a\n", entries: "0.0.0.0/0+a"},
		{name: "address and key", lines: "provide-xfr: 192.0.2.1 a\nprovide-xfr: 192.0.2.2 a\n", entries: "192.0.2.1+a 192.0.2.2+a"},
		{name: "keys paired with addresses", lines: "provide-xfr: 192.0.2.1 a\nprovide-xfr: 192.0.2.2 b\n", entries: "192.0.2.1+a 192.0.2.2+b"},
		{name: "signed and unsigned", lines: "provide-xfr: 192.0.2.1 a\nprovide-xfr: 127.0.0.1 NOKEY\n", entries: "192.0.2.1+a 127.0.0.1"},
		{name: "an address unsigned, a key from anywhere", lines: "provide-xfr: 127.0.0.1 NOKEY\nprovide-xfr: 0.0.0.0/0 a\n",
			entries: "127.0.0.1 0.0.0.0/0+a"},
		{name: "the same rule twice", lines: "provide-xfr: 192.0.2.1 a\nprovide-xfr: 192.0.2.1 a\n", entries: "192.0.2.1+a"},
		{name: "blocked beats an earlier allow", lines: "provide-xfr: 192.0.2.0/30 NOKEY\nprovide-xfr: 192.0.2.1 BLOCKED\n",
			entries: "192.0.2.0 192.0.2.2/31"},
		{name: "blocked beats a key", lines: "provide-xfr: 192.0.2.0/30 a\nprovide-xfr: 127.0.0.1 NOKEY\nprovide-xfr: 192.0.2.1 BLOCKED\n",
			entries: "192.0.2.0+a 192.0.2.2/31+a 127.0.0.1"},
		{name: "blocked everything", lines: "provide-xfr: 192.0.2.0/30 NOKEY\nprovide-xfr: 0.0.0.0/0 BLOCKED\n"},
		{name: "range and mask", lines: "provide-xfr: 192.0.2.1-192.0.2.2 NOKEY\nprovide-xfr: 198.51.100.9&255.255.255.0 NOKEY\n",
			entries: "192.0.2.1 192.0.2.2 198.51.100.0/24"},
		{name: "unknown key", lines: "provide-xfr: 192.0.2.1 nope\n", note: `provide-xfr: 192.0.2.1 nope not translated: no key: clause names "nope"`},
		{name: "bad address", lines: "provide-xfr: 192.0.2.300 NOKEY\n", note: `provide-xfr: not translated: "192.0.2.300" is not an address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := importText(t, "nsd.conf", testKeys+"zone:\n  name: example.com\n  zonefile: /z\n"+tt.lines)
			checkACL(t, r, tt.entries, tt.note)
		})
	}
}

func TestBINDTransferACL(t *testing.T) {
	const head = `key "a" { algorithm hmac-sha256; secret "c2VjcmV0LWE="; };
key "b" { algorithm hmac-sha256; secret "c2VjcmV0LWI="; };
acl "sec" { 192.0.2.1; 192.0.2.2; };
acl "mixed" { !192.0.2.1; 192.0.2.0/30; };
`
	tests := []struct {
		name    string
		options string // inside options { }
		acl     string // the zone's allow-transfer { ... } contents, "-" for none
		entries string // as in TestNSDTransferACL
		note    string
	}{
		{name: "none", acl: "none;"},
		{name: "not set", acl: "-", note: "no allow-transfer here or in options"},
		{name: "from options", options: "allow-transfer { 192.0.2.9; };", acl: "-", entries: "192.0.2.9"},
		{name: "zone beats options", options: "allow-transfer { 192.0.2.9; };", acl: "192.0.2.8;", entries: "192.0.2.8"},
		{name: "any", acl: "any;", entries: "0.0.0.0/0 ::/0"},
		{name: "key only", acl: `key "a";`, entries: "+a"},
		{name: "two keys", acl: `key a; key b;`, entries: "+a +b"},
		{name: "acl name", acl: "sec;", entries: "192.0.2.1 192.0.2.2"},
		{name: "nested list", acl: "{ 192.0.2.1; { 192.0.2.2; }; };", entries: "192.0.2.1 192.0.2.2"},
		{name: "negation first", acl: "!192.0.2.1; 192.0.2.0/30;", entries: "192.0.2.0 192.0.2.2/31"},
		{name: "negation after: first match wins", acl: "192.0.2.0/30; !192.0.2.1;", entries: "192.0.2.0/30"},
		{name: "acl with a negation", acl: "mixed;", entries: "192.0.2.0 192.0.2.2/31"},
		{name: "address and key both needed", acl: "!{ !sec; any; }; key a;", entries: "192.0.2.1+a 192.0.2.2+a"},
		{name: "a negation holds against the keys after it", acl: "!{ !sec; any; }; 127.0.0.1; key a; 192.0.2.1;",
			entries: "192.0.2.1+a 192.0.2.2+a 192.0.2.1"},
		{name: "a key before a negation: first match wins", acl: "key a; !192.0.2.1; 192.0.2.0/30;", entries: "+a 192.0.2.0 192.0.2.2/31"},
		{name: "address or key", acl: "127.0.0.1; key a;", entries: "127.0.0.1 +a"},
		{name: "localhost", acl: "localhost;", entries: "127.0.0.0/8 ::1", note: "localhost: translated as loopback"},
		{name: "localnets", acl: "localnets; 192.0.2.1;", entries: "192.0.2.1", note: "localnets not translated: localnets depends on this host's interfaces"},
		{name: "untranslatable negation stops the list", acl: "!localnets; 192.0.2.1;",
			note: "the elements after it are left out, which refuses what BIND might allow"},
		{name: "refused key", acl: "!key b; key a;", entries: "+a", note: "a refused key (!key b) not translated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zoneACL := ""
			if tt.acl != "-" {
				zoneACL = "allow-transfer { " + tt.acl + " };"
			}
			text := head + "options { " + tt.options + " };\nzone \"example.com\" { type primary; file \"/z\"; notify explicit; " + zoneACL + " };\n"
			r := importText(t, "named.conf", text)
			checkACL(t, r, tt.entries, tt.note)
		})
	}
}

// checkACL compares the zone's allow_transfer entries, whole, with
// entries, checks that transfer_keys (the older form) is not used, and
// looks for the note.
func checkACL(t *testing.T, r *Result, entries, note string) {
	t.Helper()
	c := decodeStrict(t, r.YAML)
	z := c.Zones[0]
	var got []string
	for _, e := range z.AllowTransfer {
		switch {
		case e.Key == "":
			got = append(got, e.From)
		default:
			got = append(got, e.From+"+"+e.Key)
		}
	}
	if g := strings.Join(got, " "); g != entries {
		t.Errorf("allow_transfer %q, want %q\n%s", g, entries, r.YAML)
	}
	if len(z.TransferKeys) > 0 {
		t.Errorf("transfer_keys %q: the entries say which key", z.TransferKeys)
	}
	notes := notesText(r)
	if note == "" && strings.Contains(notes, "zone example.com") {
		t.Errorf("unexpected notes:\n%s", notes)
	}
	if note != "" && !strings.Contains(notes, note) {
		t.Errorf("notes lack %q:\n%s", note, notes)
	}
}
