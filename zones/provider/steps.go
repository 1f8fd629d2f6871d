package provider

import (
	"net/netip"
	"slices"
	"time"
)

// stepKind is one change to an RRset.
type stepKind int

const (
	stepReplace stepKind = iota // change one record's value in place
	stepAdd                     // add a value
	stepRemove                  // remove a value
	stepTTL                     // write a value that is held again, with the wanted TTL
)

// step is one change; old is set for replace, remove and ttl, addr for
// replace, add and ttl.
type step struct {
	kind stepKind
	old  liveValue
	addr netip.Addr
}

// planSteps lists the changes that take an RRset from live to exactly want
// (non-empty) with the TTL ttl, without ever leaving it empty: every
// addition comes before every removal, and a value that is wanted is
// never removed for good. When inPlace is set and the RRset holds a single
// record that must change, that record is changed in place (Cloudflare
// PATCH keeps its proxied state).
//
// A kept value held with another TTL is written again with ttl (zero:
// TTLs are not compared; a proxied RRset's TTL is automatic and never
// compared). Without inPlace (Gandi, RFC 2136) one write sets the TTL of
// the whole RRset (stepTTL): Gandi PUTs the RRset with the new
// rrset_ttl; RFC 2136 replaces the RRset with the same values in one
// atomic UPDATE (Knot keeps the TTL of a record added again). An
// addition does the same at Gandi, so then no stepTTL is made. With
// inPlace (Cloudflare, where each record has its own TTL) a single
// record is changed in place; in an RRset of several records a value is
// removed and added again, one value at a time, so the RRset is never
// empty.
func planSteps(inPlace bool, want []netip.Addr, ttl time.Duration, live []liveValue) []step {
	var add []netip.Addr
	for _, a := range want {
		if !slices.ContainsFunc(live, func(v liveValue) bool { return v.addr == a }) {
			add = append(add, a)
		}
	}
	var remove, retune []liveValue
	proxied := slices.ContainsFunc(live, func(v liveValue) bool { return v.proxied })
	for _, v := range live {
		switch {
		case !slices.Contains(want, v.addr):
			remove = append(remove, v)
		case ttl != 0 && !proxied && v.raw.TTL != ttl && !slices.ContainsFunc(retune, func(r liveValue) bool { return r.addr == v.addr }):
			retune = append(retune, v)
		}
	}
	var steps []step
	switch {
	case inPlace && len(live) == 1 && len(remove) == 1 && len(add) > 0:
		steps = append(steps, step{kind: stepReplace, old: remove[0], addr: add[0]})
		add, remove = add[1:], nil
	case inPlace && len(live) == 1 && len(retune) == 1 && len(add) == 0:
		steps = append(steps, step{kind: stepReplace, old: retune[0], addr: retune[0].addr})
		retune = nil
	}
	for _, a := range add {
		steps = append(steps, step{kind: stepAdd, addr: a})
	}
	for i, v := range retune {
		switch {
		case inPlace:
			steps = append(steps, step{kind: stepRemove, old: v}, step{kind: stepAdd, addr: v.addr})
		case len(add) == 0 && i == 0:
			steps = append(steps, step{kind: stepTTL, old: v, addr: v.addr})
		}
	}
	for _, v := range remove {
		steps = append(steps, step{kind: stepRemove, old: v})
	}
	return steps
}
