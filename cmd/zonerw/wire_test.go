package main

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/templates"
	"github.com/zonerw/zonerw/zones/publish"
)

// While a service is away from its first target, its marker records carry
// failover_ttl, so clients come back quickly on failback.
func TestFailoverTTL(t *testing.T) {
	dir := t.TempDir()
	tmpl := "$ORIGIN example.com.\n@ 3600 IN SOA ns1 host ( 1 ; @serial number@\n 3600 900 1209600 300 )\n  IN NS ns1\nns1 IN A 127.0.0.53\nwww 3600 IN A @IP@\n"
	os.WriteFile(filepath.Join(dir, "t.tmpl"), []byte(tmpl), 0o644)
	yaml := `services:
  - name: web
    failover_ttl: 60s
    targets:
      - {name: main, ipv4: 127.0.0.10}
      - {name: backup, ipv4: 127.0.0.20}
zones:
  - {name: example.com, template: t.tmpl, output: out.zone}
`
	os.WriteFile(filepath.Join(dir, "zonerw.yaml"), []byte(yaml), 0o644)
	cfg, err := config.Load(filepath.Join(dir, "zonerw.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		target, want string
	}{
		{"main", "www 3600 IN A 127.0.0.10"},
		{"backup", "www 60 IN A 127.0.0.20"},
	} {
		act := map[string][]string{"web": {tc.target}}
		v := a.values(act)
		text, err := a.zones[0].Template.Render(templates.Values{Serial: 1, Active: v.Active, TTL: v.TTL})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(text), tc.want) {
			t.Errorf("on %s the zone file lacks %q:\n%s", tc.target, tc.want, text)
		}
		c, err := publish.Compile(a.zones[0])
		if err != nil {
			t.Fatal(err)
		}
		served, err := c.Version(1, v)
		if err != nil {
			t.Fatal(err)
		}
		rr, _ := dns.NewRR(strings.Replace(tc.want, "www", "www.example.com.", 1))
		if got := served.Zone().Records; !slices.ContainsFunc(got, func(r dns.RR) bool { return r.String() == rr.String() }) {
			t.Errorf("on %s the served zone lacks %q: %v", tc.target, tc.want, got)
		}
	}
}

func TestProbeAddrs(t *testing.T) {
	v4 := []netip.Addr{netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("192.0.2.11")}
	v6 := []netip.Addr{netip.MustParseAddr("2001:db8::10")}
	tests := []struct {
		which  string
		v4, v6 []netip.Addr
		want   string
	}{
		{"", v4, v6, "[192.0.2.10]"},
		{"first", nil, v6, "[2001:db8::10]"},
		{"all", v4, v6, "[192.0.2.10 192.0.2.11 2001:db8::10]"},
		{"all", nil, v6, "[2001:db8::10]"},
	}
	for _, tc := range tests {
		if got := fmt.Sprint(probeAddrs(tc.which, tc.v4, tc.v6)); got != tc.want {
			t.Errorf("probeAddrs(%q, %v, %v) = %s, want %s", tc.which, tc.v4, tc.v6, got, tc.want)
		}
	}
}
