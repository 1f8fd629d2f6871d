package dnsserver

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const secret = "ZGVtby1zZWNyZXQtZm9yLXRlc3RzLW9ubHktMzJieXQ="

func TestLoadTSIGKeyFile(t *testing.T) {
	tests := []struct {
		name, text string
		want       Key
		err        string
	}{
		{name: "tsig-keygen output", text: "key \"xfr-key\" {\n\talgorithm hmac-sha256;\n\tsecret \"" + secret + "\";\n};\n",
			want: Key{Name: "xfr-key", Algorithm: "hmac-sha256", Secret: secret}},
		{name: "comments and one line", text: "# made by hand\n/* old */ key xfr. { secret \"" + secret + "\"; algorithm hmac-sha512; }; // done\n",
			want: Key{Name: "xfr.", Algorithm: "hmac-sha512", Secret: secret}},
		{name: "sha1 accepted", text: "key k { algorithm hmac-sha1; secret \"" + secret + "\"; };",
			want: Key{Name: "k", Algorithm: "hmac-sha1", Secret: secret}},
		{name: "missing secret", text: "key k { algorithm hmac-sha256; };", err: "needs a name, an algorithm and a secret"},
		{name: "unknown algorithm", text: "key k { algorithm hmac-md5; secret \"" + secret + "\"; };", err: "unsupported algorithm"},
		{name: "secret not base64", text: "key k { algorithm hmac-sha256; secret \"%%%\"; };", err: "not base64"},
		{name: "two keys", text: "key a { algorithm hmac-sha256; secret \"" + secret + "\"; };\nkey b { algorithm hmac-sha256; secret \"" + secret + "\"; };", err: ":2: more than one key"},
		{name: "missing semicolon", text: "key k {\n algorithm hmac-sha256\n secret \"" + secret + "\"; };", err: ":3: want \";\""},
		{name: "shifted secret not quoted in errors", text: "key k { algorithm hmac-sha256; \"" + secret + "\"; };", err: "unexpected a quoted string"},
		{name: "unterminated string", text: "key k { secret \"abc", err: ":1: unterminated string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "k.key")
			if err := os.WriteFile(path, []byte(tt.text), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := LoadTSIGKeyFile(path)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), path) {
					t.Fatalf("error %v, want one starting with the path and containing %q", err, tt.err)
				}
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error shows the secret: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestKeyNeverPrintsSecret(t *testing.T) {
	k := Key{Name: "k.", Algorithm: "hmac-sha256", Secret: secret}
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s", k, k, k, k), k.LogValue().String()} {
		if strings.Contains(s, secret) || !strings.Contains(s, "k.") {
			t.Errorf("formatted key %q: want the name and not the secret", s)
		}
	}
}
