package dnssec

import (
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
	cache map[cacheKey]cached // the last signatures of each per-version RRset
}

type cacheKey struct {
	owner string
	rtype uint16
}

// cached is the signatures of one RRset as it last was.
type cached struct {
	wire    []byte // the RRset's records, RRset.Wire layout
	sigs    []byte // its RRSIGs, RRset.Wire layout
	expires time.Time
}

func newSigned(base *zones.Base, ks *KeySet, gen uint64, p Policy, t Timing, owners []ownerInfo, now time.Time) *Signed {
	sb := &Signed{base: base, keys: ks, gen: gen, policy: p, timing: t, signed: now,
		perVersion: map[string][]uint16{}, cache: map[cacheKey]cached{}}
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
	sb.mu.Lock()
	defer sb.mu.Unlock()
	w := sb.policy.window(now)
	refresh := sb.policy.refresh(uint32(sb.timing.MaxTTL / time.Second))
	buf := make([]byte, 1<<16+512)
	signers := sb.keys.zoneSigners()
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
			if c, ok := sb.cache[key]; ok && s.Type != dns.TypeSOA && string(c.wire) == string(s.Wire) && now.Add(refresh).Before(c.expires) {
				out = append(out, c.sigs...)
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
			sb.cache[key] = cached{wire: slices.Clone(s.Wire), sigs: joined, expires: time.Unix(int64(w.expiration), 0)}
			out = append(out, joined...)
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	if err := sb.verifyDynamic(v, now); err != nil {
		return nil, err
	}
	return v, nil
}

// verifyDynamic checks the signatures of every per-version RRset of v.
func (sb *Signed) verifyDynamic(v *zones.Version, now time.Time) error {
	var err error
	v.EachDynamic(func(name []byte, n zones.Node) bool {
		types := sb.perVersion[string(name)]
		err = sb.verifyNode(v, name, n, func(t uint16) bool { return slices.Contains(types, t) }, now)
		return err == nil
	})
	if err != nil {
		return fmt.Errorf("zone %s serial %d: not published: %w", v.Origin(), v.Serial(), err)
	}
	return nil
}
