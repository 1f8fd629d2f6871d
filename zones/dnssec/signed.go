package dnssec

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

// Signed is a compiled zone signed once: its Base, and what signs the
// dynamic RRsets of each version made from it.
type Signed struct {
	base   *zones.Base
	keys   *KeySet
	gen    uint64 // the keeper's change count the keys are at
	policy Policy
	timing Timing
	signed time.Time // when the static signatures were made
	now    func() time.Time
	// perVersion maps each dynamic owner (canonical wire) to the types
	// each version signs there.
	perVersion map[string][]uint16

	mu    sync.Mutex
	cache map[cacheKey][]cached // per RRset, its last few contents' signatures, newest first
}

type cacheKey struct {
	owner string
	rtype uint16
}

// cached is the signatures of one RRset as it was once.
type cached struct {
	wire    []byte // the RRset's records, RRset.Wire layout
	sigs    []byte // its RRSIGs, RRset.Wire layout
	expires time.Time
}

// cacheDepth is how many contents of one RRset keep their signatures: a
// service that fails over and back gets signatures made before, still
// valid, instead of new ones each time.
const cacheDepth = 4

func newSigned(base *zones.Base, ks *KeySet, gen uint64, p Policy, t Timing, owners []ownerInfo, now time.Time) *Signed {
	sb := &Signed{base: base, keys: ks, gen: gen, policy: p, timing: t, signed: now,
		perVersion: map[string][]uint16{}, cache: map[cacheKey][]cached{}}
	for _, o := range owners {
		if len(o.perVersion) > 0 && !o.occluded {
			sb.perVersion[string(o.name)] = o.perVersion
		}
	}
	return sb
}

// Base is the signed Base.
func (sb *Signed) Base() *zones.Base { return sb.base }

// Keys are the keys the zone is signed with.
func (sb *Signed) Keys() *KeySet { return sb.keys }

// Generation is the keeper's change count the keys are at: when the
// keeper's has moved on, the zone must be signed again.
func (sb *Signed) Generation() uint64 { return sb.gen }

// Timing is the TTLs a rollover step waits for in this zone.
func (sb *Signed) Timing() Timing { return sb.timing }

// Stale reports whether the zone must be signed again at now: its
// static signatures are due for refresh, or its keys have changed.
func (sb *Signed) Stale(now time.Time, generation uint64) bool {
	return !now.Before(sb.Due()) || generation != sb.gen
}

// VersionDue reports whether v, a version served now (perhaps made by an
// earlier compile or run), holds static signatures due for refresh at
// now: cron mode compiles and signs afresh every run, but serves (and
// writes) what it made before while the content stays the same.
func (sb *Signed) VersionDue(v *zones.Version, now time.Time) bool {
	if v == nil || !v.Signed() {
		return false
	}
	s, ok := v.Apex().RRset(dns.TypeRRSIG)
	if !ok {
		return false
	}
	refresh := sb.policy.refresh(uint32(sb.timing.MaxTTL / time.Second))
	for _, rr := range s.Records(v.Origin()) {
		sig := rr.(*dns.RRSIG)
		if sig.TypeCovered == dns.TypeDNSKEY && !now.Add(refresh).Before(time.Unix(int64(sig.Expiration), 0)) {
			return true
		}
	}
	return false
}

// Due is when the static signatures must be made anew: their expiry
// less the refresh period.
func (sb *Signed) Due() time.Time {
	return sb.signed.Add(sb.policy.Validity - sb.policy.refresh(uint32(sb.timing.MaxTTL/time.Second)))
}

// Expires is when the static signatures expire.
func (sb *Signed) Expires() time.Time { return sb.signed.Add(sb.policy.Validity) }

// NewVersion makes the version with serial and its slots filled by fill,
// signing the RRsets that change per version (the SOA always; a slot's
// RRset only when its records differ from the last version's, or its
// signature is due), at now. The signatures made are verified as the
// version holds them; a version that does not verify is an error naming
// the RRset, and is not returned.
func (sb *Signed) NewVersion(serial uint32, fill zones.Fill) (*zones.Version, error) {
	now := sb.now()
	if !now.Before(sb.Expires()) {
		return nil, fmt.Errorf("zone %s serial %d: not published: the zone's signatures expired at %s and it was not signed again", sb.base.Origin(), serial, sb.Expires().UTC().Format(time.RFC3339))
	}
	sb.mu.Lock()
	defer sb.mu.Unlock()
	w := sb.policy.window(now)
	refresh := sb.policy.refresh(uint32(sb.timing.MaxTTL / time.Second))
	buf := make([]byte, 1<<16+512)
	signers := sb.keys.zoneSigners()
	var fresh []cacheKey // the RRsets signed for this version
	v, err := zones.NewSignedVersion(sb.base, serial, fill, func(owner []byte, n zones.Node) ([]byte, error) {
		types := sb.perVersion[string(owner)]
		var out []byte
		text := ""
		for i := range n.Len() {
			s := n.At(i)
			if !slices.Contains(types, s.Type) {
				continue
			}
			key := cacheKey{owner: string(owner), rtype: s.Type}
			if sigs, ok := sb.cachedSigs(key, s.Wire, now.Add(refresh)); ok {
				out = append(out, sigs...)
				continue
			}
			if text == "" {
				text = zones.WireNameText(owner)
			}
			sigs, err := signSet(sb.base.Origin(), owner, s.Records(text), signers, w, buf)
			if err != nil {
				return nil, err
			}
			var joined []byte
			for _, sig := range sigs {
				joined = append(joined, sig...)
			}
			if s.Type != dns.TypeSOA { // the SOA changes with every version
				sb.remember(key, cached{wire: slices.Clone(s.Wire), sigs: joined, expires: time.Unix(int64(w.expiration), 0)})
			}
			fresh = append(fresh, key)
			out = append(out, joined...)
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	if err := sb.verifyFresh(v, fresh, now); err != nil {
		sb.forget(fresh)
		return nil, err
	}
	return v, nil
}

// cachedSigs returns the signatures made for the RRset key when it held
// wire, if they are still good past until.
func (sb *Signed) cachedSigs(key cacheKey, wire []byte, until time.Time) ([]byte, bool) {
	for _, c := range sb.cache[key] {
		if string(c.wire) == string(wire) && until.Before(c.expires) {
			return c.sigs, true
		}
	}
	return nil, false
}

// remember keeps c as the newest signatures of the RRset key.
func (sb *Signed) remember(key cacheKey, c cached) {
	list := append([]cached{c}, sb.cache[key]...)
	sb.cache[key] = list[:min(len(list), cacheDepth)]
}

// forget drops the newest signatures of the given RRsets: they belong to
// a version that did not verify.
func (sb *Signed) forget(keys []cacheKey) {
	for _, k := range keys {
		if list := sb.cache[k]; len(list) > 0 {
			sb.cache[k] = list[1:]
		}
	}
}

// verifyFresh checks, as v holds them, the signatures of the RRsets
// signed for it (those reused were checked when they were made), on
// every core.
func (sb *Signed) verifyFresh(v *zones.Version, fresh []cacheKey, now time.Time) error {
	errs := make([]error, len(fresh))
	var wg sync.WaitGroup
	for i, k := range fresh {
		check := func() {
			n, ok := v.Lookup([]byte(k.owner))
			if !ok {
				errs[i] = fmt.Errorf("%s: not in the version", zones.WireNameText([]byte(k.owner)))
				return
			}
			errs[i] = sb.verifyNode(v, []byte(k.owner), n, func(t uint16) bool { return t == k.rtype }, now)
		}
		if i == len(fresh)-1 {
			check() // the last one here, the others beside it
		} else {
			wg.Go(check)
		}
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("zone %s serial %d: not published: %w", v.Origin(), v.Serial(), err)
	}
	return nil
}
