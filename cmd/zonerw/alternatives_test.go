package main

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
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
