package dnssec

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
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
	// inline counts the RRsets NewVersion had to sign itself: those
	// Prepare and Anticipate did not sign ahead.
	inline atomic.Uint64
	// ahead is SOA RRsets signed before a version needs them, for the
	// serials the next versions are expected to have (see Prepare),
	// their signatures checked; newest first.
	ahead []cached
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
// valid, instead of new ones each time; and those Anticipate makes for
// each of a service's targets are kept beside the one served.
const cacheDepth = 8

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
	refresh := sb.refresh()
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
	return sb.signed.Add(sb.policy.Validity - sb.refresh())
}

// refresh is how long before its expiry a signature of this zone is made
// anew.
func (sb *Signed) refresh() time.Duration {
	return sb.policy.refresh(uint32(sb.timing.MaxTTL / time.Second))
}

// Expires is when the static signatures expire.
func (sb *Signed) Expires() time.Time { return sb.signed.Add(sb.policy.Validity) }

// NewVersion makes the version with serial and its slots filled by fill,
// signing the RRsets that change per version (the SOA, unless Prepare
// signed it; a slot's RRset only when its records differ from those
// signed before, or their signatures are due), at now. Each signature
// made is verified against the records the version holds before it is
// used; a version that does not verify is an error naming the RRset,
// and is not returned.
func (sb *Signed) NewVersion(serial uint32, fill zones.Fill) (*zones.Version, error) {
	now := sb.now()
	if !now.Before(sb.Expires()) {
		return nil, fmt.Errorf("zone %s serial %d: not published: the zone's signatures expired at %s and it was not signed again", sb.base.Origin(), serial, sb.Expires().UTC().Format(time.RFC3339))
	}
	sb.mu.Lock()
	defer sb.mu.Unlock()
	w := sb.policy.window(now)
	until := now.Add(sb.refresh())
	v, err := zones.NewSignedVersion(sb.base, serial, fill, func(owner []byte, n zones.Node) ([]byte, error) {
		types := sb.perVersion[string(owner)]
		var out, buf []byte
		text := ""
		for i := range n.Len() {
			s := n.At(i)
			if !slices.Contains(types, s.Type) {
				continue
			}
			key := cacheKey{owner: string(owner), rtype: s.Type}
			var sigs []byte
			var ok bool
			if s.Type == dns.TypeSOA {
				sigs, ok = sb.signedAhead(s.Wire, until)
			} else {
				sigs, ok = sb.cachedSigs(key, s.Wire, until)
			}
			if ok {
				out = append(out, sigs...)
				continue
			}
			if text == "" {
				text = zones.WireNameText(owner)
				buf = make([]byte, sigRoom)
			}
			sigs, err := sb.signChecked(owner, s.Records(text), w, now, buf)
			if err != nil {
				return nil, err
			}
			sb.inline.Add(1)
			if s.Type != dns.TypeSOA { // the SOA changes with every version
				sb.remember(key, cached{wire: slices.Clone(s.Wire), sigs: sigs, expires: time.Unix(int64(w.expiration), 0)})
			}
			out = append(out, sigs...)
		}
		return out, nil
	})
	if nv := (notVerified{}); errors.As(err, &nv) {
		return nil, fmt.Errorf("zone %s serial %d: not published: %w", sb.base.Origin(), serial, nv.err)
	}
	return v, err
}

// notVerified is a signature just made that does not verify.
type notVerified struct{ err error }

func (e notVerified) Error() string { return e.err.Error() }

// signChecked signs rrs (an RRset of owner) with the zone's signing keys
// over window w and verifies the signatures against rrs at now. It
// returns them in the RRset.Wire layout; buf is room to pack one.
func (sb *Signed) signChecked(owner []byte, rrs []dns.RR, w window, now time.Time, buf []byte) ([]byte, error) {
	zone := sb.base.Origin()
	made, err := signSet(zone, owner, rrs, sb.keys.zoneSigners(), w, buf)
	if err != nil {
		return nil, err
	}
	var joined []byte
	for _, sig := range made {
		joined = append(joined, sig...)
	}
	check := zones.RRset{Type: dns.TypeRRSIG, Count: len(made), Wire: joined}
	if err := sb.keys.verifyRRset(rrs, check.Records(rrs[0].Header().Name), now); err != nil {
		return nil, notVerified{err}
	}
	return joined, nil
}

// SignedInline is how many RRsets NewVersion has signed itself, on the
// publish path, since sb was made: those not signed ahead.
func (sb *Signed) SignedInline() uint64 { return sb.inline.Load() }

// Prepare signs, ahead of need, the SOA RRset of a version with each of
// serials (those the next version is expected to have), and checks the
// signatures: a failover then signs only the RRsets it changes, and
// none at all when they were signed before (see cache). A version whose
// SOA is none of these, or whose SOA's signatures would be due for
// refresh, signs its own as before. It may run beside NewVersion.
func (sb *Signed) Prepare(serials []uint32) error {
	now := sb.now()
	until := now.Add(sb.refresh())
	zone := sb.base.Origin()
	apex := sb.base.ApexWire()
	w := sb.policy.window(now)
	var buf []byte
	var made []cached
	for _, serial := range serials {
		set := sb.base.SOARRset(serial)
		sb.mu.Lock()
		_, have := sb.signedAhead(set.Wire, until)
		sb.mu.Unlock()
		if have {
			continue
		}
		if buf == nil {
			buf = make([]byte, sigRoom)
		}
		sigs, err := sb.signChecked(apex, set.Records(zone), w, now, buf)
		if nv := (notVerified{}); errors.As(err, &nv) {
			return fmt.Errorf("zone %s serial %d: the SOA signed ahead does not verify: %w", zone, serial, nv.err)
		}
		if err != nil {
			return err
		}
		made = append(made, cached{wire: set.Wire, sigs: sigs, expires: time.Unix(int64(w.expiration), 0)})
	}
	if len(made) > 0 {
		sb.mu.Lock()
		sb.ahead = append(made, sb.ahead...)
		sb.ahead = sb.ahead[:min(len(sb.ahead), aheadDepth)]
		sb.mu.Unlock()
	}
	return nil
}

// Anticipate signs, ahead of need, the slot RRsets of a version filled
// by fill (a failover that could come next: a service on another of its
// targets) where their records differ from those signed before, checks
// the signatures and keeps them for NewVersion (see cache): the
// failover then signs only its SOA, and that too is done ahead
// (Prepare). It may run beside NewVersion.
func (sb *Signed) Anticipate(fill zones.Fill) error {
	v, err := zones.NewVersion(sb.base, sb.base.SOASerial(), fill)
	if err != nil {
		return err
	}
	now := sb.now()
	until := now.Add(sb.refresh())
	w := sb.policy.window(now)
	type job struct {
		key  cacheKey
		set  zones.RRset
		text string
	}
	var jobs []job
	sb.mu.Lock()
	v.EachDynamic(func(owner []byte, n zones.Node) bool {
		types := sb.perVersion[string(owner)]
		for i := range n.Len() {
			s := n.At(i)
			if s.Type == dns.TypeSOA || !slices.Contains(types, s.Type) {
				continue
			}
			key := cacheKey{owner: string(owner), rtype: s.Type}
			if _, ok := sb.cachedSigs(key, s.Wire, until); !ok {
				jobs = append(jobs, job{key, s, zones.WireNameText(owner)})
			}
		}
		return true
	})
	sb.mu.Unlock()
	buf := make([]byte, sigRoom)
	for _, j := range jobs {
		sigs, err := sb.signChecked([]byte(j.key.owner), j.set.Records(j.text), w, now, buf)
		if err != nil {
			return err
		}
		sb.mu.Lock()
		sb.remember(j.key, cached{wire: slices.Clone(j.set.Wire), sigs: sigs, expires: time.Unix(int64(w.expiration), 0)})
		sb.mu.Unlock()
	}
	return nil
}

// sigRoom is the buffer one RRSIG record is packed in: room for its
// owner and signer names (255 bytes each at most), its fixed fields and
// a signature far longer than ECDSA's or Ed25519's 64 bytes. A record
// that did not fit would be an error from the packer, not a short one.
const sigRoom = 4096

// aheadDepth is how many SOA RRsets signed ahead are kept: the newest
// Prepare's (one or two) and the one before, in case two runs overlap.
const aheadDepth = 4

// signedAhead returns the signatures Prepare made for the SOA RRset
// wire, if they are still good past until. sb.mu is held.
func (sb *Signed) signedAhead(wire []byte, until time.Time) ([]byte, bool) {
	return find(sb.ahead, wire, until)
}

// cachedSigs returns the signatures made for the RRset key when it held
// wire, if they are still good past until.
func (sb *Signed) cachedSigs(key cacheKey, wire []byte, until time.Time) ([]byte, bool) {
	return find(sb.cache[key], wire, until)
}

// find returns the signatures in list made for the records wire, if they
// are still good past until.
func find(list []cached, wire []byte, until time.Time) ([]byte, bool) {
	for _, c := range list {
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
