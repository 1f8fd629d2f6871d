package templates

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommentSerialEveryLayout: a comment @serial number@ anywhere in the
// SOA record means the serial field, and a line holding only a comment is
// copied whatever markers it names.
func TestCommentSerialEveryLayout(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{name: "one line",
			text: "@ IN SOA ns1 host 1 3600 900 604800 300 ; @serial number@\n",
			want: "@ IN SOA ns1 host 42 3600 900 604800 300 ; @serial number@\n"},
		{name: "one line with parentheses",
			text: "@ IN SOA ns1 host ( 1 3600 900 604800 300 ) ; @serial number@\n",
			want: "@ IN SOA ns1 host ( 42 3600 900 604800 300 ) ; @serial number@\n"},
		{name: "on the opening line",
			text: "@ IN SOA ns1 host ( ; @serial number@\n 1 3600 900 604800 300 )\n",
			want: "@ IN SOA ns1 host ( ; @serial number@\n 42 3600 900 604800 300 )\n"},
		{name: "after the serial",
			text: "@ IN SOA ns1 host (\n 1 ; @serial number@\n 3600 900 604800 300 )\n",
			want: "@ IN SOA ns1 host (\n 42 ; @serial number@\n 3600 900 604800 300 )\n"},
		{name: "on a line of its own before the serial",
			text: "@ IN SOA ns1 host (\n ; @serial number@\n 1 3600 900 604800 300 )\n",
			want: "@ IN SOA ns1 host (\n ; @serial number@\n 42 3600 900 604800 300 )\n"},
		{name: "after the refresh",
			text: "@ IN SOA ns1 host (\n 1\n 3600 ; @serial number@\n 900 604800 300 )\n",
			want: "@ IN SOA ns1 host (\n 42\n 3600 ; @serial number@\n 900 604800 300 )\n"},
		{name: "on the closing line",
			text: "@ IN SOA ns1 host (\n 1\n 3600 900 604800 300 ) ; @serial number@\n",
			want: "@ IN SOA ns1 host (\n 42\n 3600 900 604800 300 ) ; @serial number@\n"},
		{name: "comment-only lines outside records",
			text: "; @serial number@ and @IP@ are filled in by zonerw\n; not a marker: @nope@, @IP:ftp@\n" +
				"@ IN SOA ns1 host 1 3600 900 604800 300\n",
			want: "; @serial number@ and @IP@ are filled in by zonerw\n; not a marker: @nope@, @IP:ftp@\n" +
				"@ IN SOA ns1 host 1 3600 900 604800 300\n"},
		{name: "comment-only line inside an A record",
			text: "www IN A (\n ; @IP@\n 192.0.2.1 )\n",
			want: "www IN A (\n ; @IP@\n 192.0.2.1 )\n"},
		{name: "address marker on a comment-only line inside the SOA",
			text: "@ IN SOA ns1 host (\n ; @IP@ is filled in below\n 1 3600 900 604800 300 )\n",
			want: "@ IN SOA ns1 host (\n ; @IP@ is filled in below\n 1 3600 900 604800 300 )\n"},
		{name: "lowercase type",
			text: "@ in soa ns1 host 1 3600 900 604800 300 ; @serial number@\n",
			want: "@ in soa ns1 host 42 3600 900 604800 300 ; @serial number@\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := mustParse(t, "t.tmpl", []byte(tt.text))
			got, err := tmpl.Render(Values{Serial: 42})
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if wantSerial := strings.Contains(tt.want, " 42"); tmpl.HasSerial() != wantSerial {
				t.Errorf("HasSerial() = %v, want %v", tmpl.HasSerial(), wantSerial)
			}
		})
	}
}

// TestOriginalFormsNamedCheckzone: the original script's template forms,
// rendered, are zones BIND's named-checkzone loads.
func TestOriginalFormsNamedCheckzone(t *testing.T) {
	bin, err := exec.LookPath("named-checkzone")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("named-checkzone is not installed, but CI must run this test: .ci/run should apt-get install bind9-utils")
		}
		t.Skip("named-checkzone not installed: apt-get install bind9-utils")
	}
	for _, name := range []string{"comment", "original-oneline", "original-paren"} {
		t.Run(name, func(t *testing.T) {
			out, err := mustParse(t, name+".tmpl", readTestdata(t, "render/"+name+".tmpl")).Render(oneEach)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), name+".zone")
			if err := os.WriteFile(file, out, 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := exec.Command(bin, "example.com", file).CombinedOutput()
			if err != nil {
				t.Fatalf("named-checkzone refused the render: %v\n%s\n--- zone ---\n%s", err, res, out)
			}
			if !strings.Contains(string(res), "loaded serial 2024010203") {
				t.Errorf("named-checkzone did not load serial 2024010203:\n%s", res)
			}
		})
	}
}
