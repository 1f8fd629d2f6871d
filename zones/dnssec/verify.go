package dnssec

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

// keysFor are the keys that must sign an RRset of type t.
func (ks *KeySet) keysFor(t uint16) []*Key {
	switch t {
	case dns.TypeDNSKEY, dns.TypeCDS, dns.TypeCDNSKEY:
		return ks.keySigners()
	}
	return ks.zoneSigners()
}

// verifyRRset checks that rrs (an RRset of owner, its records decoded
// with owner's presentation form) carries, among sigs, a signature valid
// at now by each key that must sign it.
func (ks *KeySet) verifyRRset(rrs []dns.RR, sigs []dns.RR, now time.Time) error {
	h := rrs[0].Header()
	for _, k := range ks.keysFor(h.Rrtype) {
		why := "none"
		ok := false
		for _, rr := range sigs {
			sig := rr.(*dns.RRSIG)
			if sig.TypeCovered != h.Rrtype || sig.KeyTag != k.Tag() || sig.Algorithm != k.DNSKEY.Algorithm {
				continue
			}
			if err := sig.Verify(k.DNSKEY, rrs); err != nil {
				why = err.Error()
				continue
			}
			if !sig.ValidityPeriod(now) {
				why = fmt.Sprintf("valid from %s to %s, not at %s", dns.TimeToString(sig.Inception), dns.TimeToString(sig.Expiration), now.UTC().Format("20060102150405"))
				continue
			}
			ok = true
			break
		}
		if !ok {
			return fmt.Errorf("%s %s: no valid signature by %s (%s)", h.Name, dns.Type(h.Rrtype), k, why)
		}
	}
	return nil
}

// verifyBase checks every static signature of the signed Base and its
// denial chain, on workers cores.
func (sb *Signed) verifyBase(now time.Time, workers int) error {
	owners, err := collectOwners(sb.base, true)
	if err != nil {
		return err
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for wi := range workers {
		wg.Go(func() {
			for i := wi; i < len(owners) && errs[wi] == nil; i += workers {
				errs[wi] = sb.verifyOwner(&owners[i], now)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("zone %s: the signed zone does not verify: %w", sb.base.Origin(), err)
		}
	}
	if err := verifyChain(sb.base.Origin(), owners, sb.policy.NSEC3); err != nil {
		return fmt.Errorf("zone %s: the signed zone does not verify: %w", sb.base.Origin(), err)
	}
	return nil
}

// verifyOwner verifies the static RRsets of one owner of the signed Base.
func (sb *Signed) verifyOwner(o *ownerInfo, now time.Time) error {
	if o.occluded || o.empty {
		return nil
	}
	var sigs []dns.RR
	for _, s := range o.sets {
		if s.Type == dns.TypeRRSIG {
			sigs = s.Records(o.text)
		}
	}
	per := sb.perVersion[string(o.name)]
	for _, s := range o.sets {
		if s.Type == dns.TypeRRSIG || slices.Contains(per, s.Type) || !o.signedType(s.Type) && s.Type != dns.TypeNSEC {
			continue
		}
		if err := sb.keys.verifyRRset(s.Records(o.text), sigs, now); err != nil {
			return err
		}
	}
	return nil
}

// verifyChain checks that the NSEC (or NSEC3) records link every owner
// that holds one to the next in order, the last to the first.
func verifyChain(zone string, owners []ownerInfo, nsec3 bool) error {
	rtype := dns.TypeNSEC
	if nsec3 {
		rtype = dns.TypeNSEC3
	}
	type link struct {
		name []byte
		next string
	}
	var links []link
	names := 0
	for _, o := range owners {
		if !o.occluded && (nsec3 || !o.empty) && !slices.Contains(o.types, dns.TypeNSEC3) {
			names++
		}
		for _, s := range o.sets {
			if s.Type != rtype {
				continue
			}
			rrs := s.Records(o.text)
			if len(rrs) != 1 {
				return fmt.Errorf("%s: %d %s records, want 1", o.text, len(rrs), dns.Type(rtype))
			}
			switch r := rrs[0].(type) {
			case *dns.NSEC:
				links = append(links, link{o.name, strings.ToLower(r.NextDomain)})
			case *dns.NSEC3:
				links = append(links, link{o.name, strings.ToLower(r.NextDomain) + "." + zone})
			}
		}
	}
	if len(links) != names {
		return fmt.Errorf("the %s chain has %d records for %d names", dns.Type(rtype), len(links), names)
	}
	slices.SortFunc(links, func(a, b link) int { return zones.CompareWire(a.name, b.name) })
	for i, l := range links {
		want := zones.WireNameText(links[(i+1)%len(links)].name)
		if l.next != want {
			return fmt.Errorf("%s %s: next is %s, the chain's next name is %s", zones.WireNameText(l.name), dns.Type(rtype), l.next, want)
		}
	}
	return nil
}
