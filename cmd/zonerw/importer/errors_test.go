package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportErrors: a config the importer cannot read is an error naming
// the file and line; a config without a primary zone says why.
func TestImportErrors(t *testing.T) {
	tests := []struct {
		name, file, text, from string
		want                   string // DIR is the temp dir
	}{
		{name: "nsd attribute outside a clause", file: "nsd.conf", text: "# x\nname: example.com\n",
			want: "DIR/nsd.conf:2: name: outside any clause (server:, zone:, key:, pattern: ...)"},
		{name: "nsd key without a secret", file: "nsd.conf", text: "key:\n name: a\n algorithm: hmac-sha256\n",
			want: "DIR/nsd.conf:1: key: needs a name, an algorithm and a secret"},
		{name: "nsd missing include", file: "nsd.conf", text: "server:\ninclude: \"keys.conf\"\n",
			want: "DIR/nsd.conf:2: include: DIR/keys.conf: no such file"},
		{name: "nsd unknown pattern", file: "nsd.conf", text: "zone:\n name: a\n include-pattern: p\n",
			want: `DIR/nsd.conf:3: include-pattern: no pattern named "p"`},
		{name: "nsd bad port", file: "nsd.conf", text: "server:\n port: http\n",
			want: `DIR/nsd.conf:2: port: "http" is not a port`},
		{name: "nsd only a secondary", file: "nsd.conf", text: "zone:\n name: a\n zonefile: a\n request-xfr: 192.0.2.1 NOKEY\n",
			want: "DIR/nsd.conf: no primary zone to import\n  DIR/nsd.conf:1: zone a: a secondary zone (request-xfr), not imported: zonerw serves the zones it is primary for"},
		{name: "bind missing semicolon", file: "named.conf", text: "options {\n directory \"/x\"\n};\n",
			want: "DIR/named.conf:3: missing ';' before '}'"},
		{name: "bind unclosed block", file: "named.conf", text: "zone \"a\" {\n type primary;\n",
			want: "DIR/named.conf:2: missing '}'"},
		{name: "bind unterminated string", file: "named.conf", text: "zone \"a {\n",
			want: "DIR/named.conf:1: unterminated string"},
		{name: "bind key secret never shown", file: "named.conf", text: "key \"k\" {\n algorithm hmac-sha256;\n secret \"c2VjcmV0\";\n colour blue;\n};\n",
			want: "DIR/named.conf:4: key k: unknown option colour"},
		{name: "bind secret not base64", file: "named.conf", text: "key \"k\" { algorithm hmac-sha256; secret \"c2Vj%cmV0\"; };\nzone \"a\" { type primary; file \"/a\"; };\n",
			want: "DIR/named.conf:1: key k: the secret is not base64"},
		{name: "bind zone without a block", file: "named.conf", text: "zone \"a\";\n",
			want: "DIR/named.conf:1: zone: want zone NAME { ... };"},
		{name: "undetectable", file: "zones.txt", text: "hello\n",
			want: "DIR/zones.txt: cannot tell whether this is an nsd.conf or a named.conf: name it with --from nsd or --from bind"},
		{name: "unknown source", file: "x.conf", text: "", from: "knot",
			want: `unknown source "knot": want nsd or bind`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tt.file)
			if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Import(path, Options{From: tt.from})
			if err == nil {
				t.Fatal("Import succeeded")
			}
			if got := strings.ReplaceAll(err.Error(), dir, "DIR"); got != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", got, tt.want)
			}
			if strings.Contains(err.Error(), "c2VjcmV0") {
				t.Errorf("the error shows the secret: %v", err)
			}
		})
	}
}

// TestDetect: by name first, else by the text's shape; --from wins.
func TestDetect(t *testing.T) {
	nsd := "server:\n  port: 53\nzone:\n  name: a\n  zonefile: /a\n"
	bind := "zone \"a\" {\n  type primary;\n  file \"/a\";\n};\n"
	tests := []struct{ file, text, from, want string }{
		{file: "nsd.conf", text: nsd, want: "nsd"},
		{file: "named.conf.local", text: bind, want: "bind"},
		{file: "primary.conf", text: nsd, want: "nsd"},
		{file: "primary.conf", text: bind, want: "bind"},
		{file: "nsd.conf", text: bind, from: "bind", want: "bind"},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), tt.file)
		if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Import(path, Options{From: tt.from})
		if err != nil {
			t.Errorf("%s (from %q): %v", tt.file, tt.from, err)
			continue
		}
		kind := map[bool]string{true: "nsd", false: "bind"}[strings.Contains(string(r.YAML), "(NSD)")]
		if kind != tt.want {
			t.Errorf("%s (from %q) read as %s, want %s", tt.file, tt.from, kind, tt.want)
		}
	}
}

// TestNotify: NOTIFY targets with their ports and keys, BIND's notify
// modes, and the targets that cannot be translated.
func TestNotify(t *testing.T) {
	tests := []struct {
		name, file, text string
		want             string // secondaries as address/key, space separated
		note             string
	}{
		{name: "nsd port and key", file: "nsd.conf",
			text: testKeys + "zone:\n name: example.com\n zonefile: /z\n notify: 192.0.2.1@5300 a\n notify: ::1 NOKEY\n",
			want: "192.0.2.1:5300/a [::1]:53/"},
		{name: "nsd notify with a prefix", file: "nsd.conf",
			text: "zone:\n name: example.com\n zonefile: /z\n notify: 192.0.2.0/24 NOKEY\n",
			note: `notify: not translated: "192.0.2.0/24" is not an address`},
		{name: "bind notify no drops also-notify", file: "named.conf",
			text: "zone \"example.com\" { type primary; file \"/z\"; notify no; also-notify { 192.0.2.1; }; allow-transfer { none; }; };\n",
			note: "notify no: the also-notify list is left out"},
		{name: "bind options also-notify with a port", file: "named.conf",
			text: "options { also-notify port 5300 { 192.0.2.1; 192.0.2.2 port 53; }; notify explicit; };\nzone \"example.com\" { type primary; file \"/z\"; allow-transfer { none; }; };\n",
			want: "192.0.2.1:5300/ 192.0.2.2:53/"},
		{name: "bind unknown key", file: "named.conf",
			text: "zone \"example.com\" { type primary; file \"/z\"; notify explicit; also-notify { 192.0.2.1 key nope; }; allow-transfer { none; }; };\n",
			note: `no key statement names "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := importText(t, tt.file, tt.text)
			c := decodeStrict(t, r.YAML)
			var got []string
			for _, s := range c.Zones[0].Secondaries {
				got = append(got, s.Address+"/"+s.Key)
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("secondaries %q, want %q", strings.Join(got, " "), tt.want)
			}
			if tt.note != "" && !strings.Contains(notesText(r), tt.note) {
				t.Errorf("notes lack %q:\n%s", tt.note, notesText(r))
			}
		})
	}
}
