package dnsserver

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/miekg/dns"
)

// TransferRule admits zone transfers from the addresses in From, and
// only when they are signed with the TSIG key Key if Key is set. A zone's
// transfer is allowed when any one of its rules admits the client.
type TransferRule struct {
	// From is the client network; the zero Prefix admits every address.
	From netip.Prefix
	// Key names the TSIG key the transfer must be signed with; empty for
	// none.
	Key string
}

// admits reports whether the rule lets a client at addr, whose verified
// TSIG key is key ("" for an unsigned message), transfer the zone.
func (r TransferRule) admits(addr netip.Addr, key string) bool {
	if r.From.IsValid() && !r.From.Contains(addr) {
		return false
	}
	return r.Key == "" || (key != "" && dns.CanonicalName(r.Key) == dns.CanonicalName(key))
}

// transferRules is the zone's whole transfer policy as rules: its
// Transfer rules, then those AllowTransfer and TransferKeys stand for.
// Those two lists keep the meaning they had before rules: an address in
// AllowTransfer, a key in TransferKeys, and both when both are set.
func (z *ZoneConfig) transferRules() []TransferRule {
	rules := slices.Clone(z.Transfer)
	switch {
	case len(z.AllowTransfer) > 0 && len(z.TransferKeys) > 0:
		for _, p := range z.AllowTransfer {
			for _, k := range z.TransferKeys {
				rules = append(rules, TransferRule{From: p, Key: k})
			}
		}
	case len(z.AllowTransfer) > 0:
		for _, p := range z.AllowTransfer {
			rules = append(rules, TransferRule{From: p})
		}
	default:
		for _, k := range z.TransferKeys {
			rules = append(rules, TransferRule{Key: k})
		}
	}
	return rules
}

// checkRules reports a rule naming a key the server does not have.
func checkRules(rules []TransferRule, keys *keyring) error {
	for j, r := range rules {
		if r.Key != "" && !keys.has(r.Key) {
			return fmt.Errorf("transfer rule %d: unknown key %q", j, r.Key)
		}
	}
	return nil
}

// peers are the clients the config trusts, across all zones. A keyless
// rule that admits every address (0.0.0.0/0, ::/0) still admits
// transfers, but trusts no client in particular: it would otherwise
// exempt the whole internet from the limits. A rule with a key trusts
// the clients that sign with it, from wherever its From allows.
type peers struct {
	prefixes    []netip.Prefix // keyless rules
	keyed       []TransferRule // rules that need a key
	secondaries []netip.Addr
}

// newPeers gathers the transfer rules and secondaries of every zone.
func newPeers(zones map[string]*ZoneConfig) *peers {
	p := &peers{}
	for _, z := range zones {
		for _, r := range z.rules {
			switch {
			case r.Key != "":
				p.keyed = append(p.keyed, r)
			case r.From.IsValid() && r.From.Bits() > 0:
				p.prefixes = append(p.prefixes, r.From)
			}
		}
		for _, s := range z.Secondaries {
			p.secondaries = append(p.secondaries, s.Addr.Addr().Unmap())
		}
	}
	return p
}

// admitted reports whether some zone's transfer rules admit a client at
// addr whose message carries the verified TSIG key ("" for none). Such
// clients are exempt from response rate limiting.
func (p *peers) admitted(addr netip.Addr, key string) bool {
	if slices.ContainsFunc(p.prefixes, func(pre netip.Prefix) bool { return pre.Contains(addr) }) {
		return true
	}
	return key != "" && slices.ContainsFunc(p.keyed, func(r TransferRule) bool { return r.admits(addr, key) })
}

// trusted reports whether a TCP client at addr is kept a slot for: a
// keyless transfer rule admits it or it is a secondary. A client that
// needs a key is trusted once it has signed a transfer (trustConn).
func (p *peers) trusted(addr netip.Addr) bool {
	return p.admitted(addr, "") || slices.Contains(p.secondaries, addr)
}
