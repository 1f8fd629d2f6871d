package seed

import (
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/statedir"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/templates"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/publish"
)

const tmpl = "$ORIGIN example.com.\n@ 3600 IN SOA ns1 host ( 1 ; @serial number@\n 3600 900 1209600 300 )\n  IN NS ns1\nns1 IN A 127.0.0.53\nwww 300 IN A @IP:web@\n"

// A stored zone newer than the state file, pointing web at backup,
// starts web on backup with main counted down; a stored zone the state
// file knows of changes nothing.
func TestFromStored(t *testing.T) {
	main, backup := netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("192.0.2.20")
	svcs := []templates.Service{{Name: "web", Targets: []templates.Target{{Name: "main", IPv4: []netip.Addr{main}}, {Name: "backup", IPv4: []netip.Addr{backup}}}}}
	tp, err := templates.Parse("t.tmpl", []byte(tmpl), svcs, "web")
	if err != nil {
		t.Fatal(err)
	}
	z := &publish.Zone{Name: "example.com.", Template: tp}
	c, err := publish.Compile(z)
	if err != nil {
		t.Fatal(err)
	}
	text, err := tp.Render(templates.Values{Serial: 7, Active: map[string]templates.Addrs{"web": {IPv4: []netip.Addr{backup}}}})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := zones.ParseVersion("example.com.", "stored", text, zones.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rules := []failover.Service{{Name: "web", Targets: []string{"main", "backup"}, Rise: 2, Fall: 2}}
	in := Input{
		Services: rules,
		Targets:  map[string]map[string]templates.Target{"web": {"main": svcs[0].Targets[0], "backup": svcs[0].Targets[1]}},
		StateDir: t.TempDir(),
		State:    statedir.New(),
		Compiled: []*publish.Compiled{c},
	}
	in.State.Zones["example.com."] = publish.ZoneState{ZoneState: zones.ZoneState{Serial: 6}}
	in.Newer = Newer([]*publish.Zone{z}, in.State, func(string) *zones.Version { return stored })
	if in.Newer["example.com."] != stored {
		t.Fatalf("serial 7 stored, 6 in the state file: newer %v", in.Newer)
	}
	now := time.Date(2026, 12, 1, 4, 0, 0, 0, time.UTC)
	st, ok := FromStored(in, now, slog.New(slog.DiscardHandler))
	web := st["web"]
	if !ok || web == nil || web.Active != "backup" || web.Targets["main"].Up || !web.Targets["backup"].Up || !web.ActiveSince.Equal(now) {
		t.Fatalf("seeded %v: %+v", ok, web)
	}

	in.State.Zones["example.com."] = publish.ZoneState{ZoneState: zones.ZoneState{Serial: 7}}
	if in.Newer = Newer([]*publish.Zone{z}, in.State, func(string) *zones.Version { return stored }); len(in.Newer) != 0 {
		t.Errorf("the state file knows serial 7: newer %v", in.Newer)
	}
	if _, ok := FromStored(in, now, slog.New(slog.DiscardHandler)); ok {
		t.Errorf("nothing newer than the state file, yet the state changed")
	}
}
