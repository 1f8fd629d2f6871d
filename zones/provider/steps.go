package provider

import (
	"net/netip"
	"slices"
)

// stepKind is one change to an RRset.
type stepKind int

const (
	stepReplace stepKind = iota // change one record's value in place
	stepAdd                     // add a value
	stepRemove                  // remove a value
)

// step is one change; old is set for replace and remove, addr for replace
// and add.
type step struct {
	kind stepKind
	old  liveValue
	addr netip.Addr
}

// planSteps lists the changes that take an RRset from live to exactly want
// (non-empty) without ever leaving it empty: every addition comes before
// every removal, and a value that is wanted is never removed. When
// inPlace is set and the RRset holds a single record that must change, that
// record is changed in place (Cloudflare PATCH keeps its proxied state).
func planSteps(inPlace bool, want []netip.Addr, live []liveValue) []step {
	var add []netip.Addr
	for _, a := range want {
		if !slices.ContainsFunc(live, func(v liveValue) bool { return v.addr == a }) {
			add = append(add, a)
		}
	}
	var remove []liveValue
	for _, v := range live {
		if !slices.Contains(want, v.addr) {
			remove = append(remove, v)
		}
	}
	var steps []step
	if inPlace && len(live) == 1 && len(remove) == 1 && len(add) > 0 {
		steps = append(steps, step{kind: stepReplace, old: remove[0], addr: add[0]})
		add, remove = add[1:], nil
	}
	for _, a := range add {
		steps = append(steps, step{kind: stepAdd, addr: a})
	}
	for _, v := range remove {
		steps = append(steps, step{kind: stepRemove, old: v})
	}
	return steps
}
