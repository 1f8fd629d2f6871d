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
		name  string
		lines string // provide-xfr lines of the zone
		allow string // allow_transfer, joined with spaces
		keys  string // transfer_keys
		note  string // a note that must be there ("" for no note)
	}{
		{name: "none: refused", lines: "", allow: "", keys: ""},
		{name: "addresses", lines: "provide-xfr: 192.0.2.1 NOKEY\nprovide-xfr: 2001:db8::/64 NOKEY\n",
			allow: "192.0.2.1 2001:db8::/64"},
		{name: "one key from anywhere", lines: "provide-xfr: 0.0.0.0/0 a\nprovide-xfr: ::/0 a\n", keys: "a"},
		{name: "one key from one family", lines: "provide-xfr: 0.0.0.0/0 a\n", allow: "0.0.0.0/0", keys: "a"},
		{name: "address and key", lines: "provide-xfr: 192.0.2.1 a\nprovide-xfr: 192.0.2.2 a\n",
			allow: "192.0.2.1 192.0.2.2", keys: "a"},
		{name: "keys paired with addresses", lines: "provide-xfr: 192.0.2.1 a\nprovide-xfr: 192.0.2.2 b\n",
			allow: "192.0.2.1 192.0.2.2", keys: "a b", note: "key a is allowed from 192.0.2.1 only; zonerw takes any of the keys a, b from any of 192.0.2.1, 192.0.2.2"},
		{name: "signed and unsigned", lines: "provide-xfr: 192.0.2.1 a\nprovide-xfr: 127.0.0.1 NOKEY\n",
			allow: "192.0.2.1", keys: "a", note: "unsigned transfers from 127.0.0.1 not translated"},
		{name: "blocked beats an earlier allow", lines: "provide-xfr: 192.0.2.0/30 NOKEY\nprovide-xfr: 192.0.2.1 BLOCKED\n",
			allow: "192.0.2.0 192.0.2.2/31"},
		{name: "blocked everything", lines: "provide-xfr: 192.0.2.0/30 NOKEY\nprovide-xfr: 0.0.0.0/0 BLOCKED\n"},
		{name: "range and mask", lines: "provide-xfr: 192.0.2.1-192.0.2.2 NOKEY\nprovide-xfr: 198.51.100.9&255.255.255.0 NOKEY\n",
			allow: "192.0.2.1 192.0.2.2 198.51.100.0/24"},
		{name: "unknown key", lines: "provide-xfr: 192.0.2.1 nope\n", note: `provide-xfr: 192.0.2.1 nope not translated: no key: clause names "nope"`},
		{name: "bad address", lines: "provide-xfr: 192.0.2.300 NOKEY\n", note: `provide-xfr: not translated: "192.0.2.300" is not an address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := importText(t, "nsd.conf", testKeys+"zone:\n  name: example.com\n  zonefile: /z\n"+tt.lines)
			checkACL(t, r, tt.allow, tt.keys, tt.note)
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
		allow   string
		keys    string
		note    string
	}{
		{name: "none", acl: "none;"},
		{name: "not set", acl: "-", note: "no allow-transfer here or in options"},
		{name: "from options", options: "allow-transfer { 192.0.2.9; };", acl: "-", allow: "192.0.2.9"},
		{name: "zone beats options", options: "allow-transfer { 192.0.2.9; };", acl: "192.0.2.8;", allow: "192.0.2.8"},
		{name: "any", acl: "any;", allow: "0.0.0.0/0 ::/0"},
		{name: "key only", acl: `key "a";`, keys: "a"},
		{name: "two keys", acl: `key a; key b;`, keys: "a b"},
		{name: "acl name", acl: "sec;", allow: "192.0.2.1 192.0.2.2"},
		{name: "nested list", acl: "{ 192.0.2.1; { 192.0.2.2; }; };", allow: "192.0.2.1 192.0.2.2"},
		{name: "negation first", acl: "!192.0.2.1; 192.0.2.0/30;", allow: "192.0.2.0 192.0.2.2/31"},
		{name: "negation after: first match wins", acl: "192.0.2.0/30; !192.0.2.1;", allow: "192.0.2.0/30"},
		{name: "acl with a negation", acl: "mixed;", allow: "192.0.2.0 192.0.2.2/31"},
		{name: "address and key both needed", acl: "!{ !sec; any; }; key a;", allow: "192.0.2.1 192.0.2.2", keys: "a"},
		{name: "address or key", acl: "127.0.0.1; key a;", keys: "a", note: "unsigned transfers from 127.0.0.1 not translated"},
		{name: "localhost", acl: "localhost;", allow: "127.0.0.0/8 ::1", note: "localhost: translated as loopback"},
		{name: "localnets", acl: "localnets; 192.0.2.1;", allow: "192.0.2.1", note: "localnets not translated: localnets depends on this host's interfaces"},
		{name: "untranslatable negation stops the list", acl: "!localnets; 192.0.2.1;",
			note: "the elements after it are left out, which refuses what BIND might allow"},
		{name: "refused key", acl: "!key b; key a;", keys: "a", note: "a refused key (!key b) not translated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zoneACL := ""
			if tt.acl != "-" {
				zoneACL = "allow-transfer { " + tt.acl + " };"
			}
			text := head + "options { " + tt.options + " };\nzone \"example.com\" { type primary; file \"/z\"; notify explicit; " + zoneACL + " };\n"
			r := importText(t, "named.conf", text)
			checkACL(t, r, tt.allow, tt.keys, tt.note)
		})
	}
}

// checkACL compares the zone's transfer ACL and looks for the note.
func checkACL(t *testing.T, r *Result, allow, keys, note string) {
	t.Helper()
	c := decodeStrict(t, r.YAML)
	z := c.Zones[0]
	var from []string
	for _, r := range z.AllowTransfer {
		from = append(from, r.From)
	}
	if got := strings.Join(from, " "); got != allow {
		t.Errorf("allow_transfer %q, want %q", got, allow)
	}
	if got := strings.Join(z.TransferKeys, " "); got != keys {
		t.Errorf("transfer_keys %q, want %q", got, keys)
	}
	notes := notesText(r)
	if note == "" && strings.Contains(notes, "zone example.com") {
		t.Errorf("unexpected notes:\n%s", notes)
	}
	if note != "" && !strings.Contains(notes, note) {
		t.Errorf("notes lack %q:\n%s", note, notes)
	}
}
