package main

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
)

// The failovers that could come next, which a signed zone signs ahead:
// every service on each of its targets but the one it is on, alone, the
// other services as they are.
func TestAlternatives(t *testing.T) {
	w := newWorld(t, rand.New(rand.NewPCG(1, 2)), t.TempDir(), true)
	act := w.engine.ActiveTargets()
	if !slices.Equal(act["web"], []string{"main"}) || !slices.Equal(act["mail"], []string{"mx1"}) {
		t.Fatalf("the world starts on %v", act)
	}
	alts := w.a.alternatives(act)
	type move struct{ web, mail netip.Addr }
	var got []move
	for _, v := range alts {
		got = append(got, move{v.Active["web"].IPv4[0], v.Active["mail"].IPv4[0]})
	}
	addr := func(svc string, i int) netip.Addr {
		v4, _ := targetAddr(svc, i)
		return netip.MustParseAddr(v4)
	}
	want := []move{
		{addr("web", 1), addr("mail", 0)}, // web on backup
		{addr("web", 2), addr("mail", 0)}, // web on third
		{addr("web", 0), addr("mail", 1)}, // mail on mx2
	}
	if !slices.Equal(got, want) {
		t.Errorf("alternatives from main and mx1:\n got %v\nwant %v", got, want)
	}
}

// A pool's next failovers are one member going (while another stays) or
// one target coming back, members in config order as the engine serves
// them; a plain service beside it moves to its other target.
func TestAlternativesOfAPool(t *testing.T) {
	cfg := &config.Config{Services: []config.Service{
		{Name: "web", Mode: "pool", Targets: []config.Target{{Name: "a", IPv4: "192.0.2.1"}, {Name: "b", IPv4: "192.0.2.2"}, {Name: "c", IPv4: "192.0.2.3"}}},
		{Name: "mail", Targets: []config.Target{{Name: "mx1", IPv4: "192.0.2.25"}, {Name: "mx2", IPv4: "192.0.2.26"}}},
	}}
	a := buildServices(cfg)
	var got []string
	for _, v := range a.alternatives(map[string][]string{"web": {"a", "c"}, "mail": {"mx1"}}) {
		var s []string
		for _, svc := range []string{"web", "mail"} {
			for _, ip := range v.Active[svc].IPv4 {
				s = append(s, ip.String())
			}
			s = append(s, "|")
		}
		got = append(got, strings.Join(s, " "))
	}
	want := []string{
		"192.0.2.3 | 192.0.2.25 |",                     // a taken out
		"192.0.2.1 192.0.2.2 192.0.2.3 | 192.0.2.25 |", // b back
		"192.0.2.1 | 192.0.2.25 |",                     // c taken out
		"192.0.2.1 192.0.2.3 | 192.0.2.26 |",           // mail on mx2
	}
	if !slices.Equal(got, want) {
		t.Errorf("alternatives of pool {a, c} and mail on mx1:\n got %q\nwant %q", got, want)
	}
	// A pool of one has nothing to take out, only targets to add.
	for _, v := range a.alternatives(map[string][]string{"web": {"b"}, "mail": {"mx2"}}) {
		if len(v.Active["web"].IPv4) == 0 {
			t.Errorf("an alternative with the pool empty: %v", v.Active)
		}
	}
}
