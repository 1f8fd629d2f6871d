package dnssec

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Timing is what a rollover step waits for: the TTLs of the zone as it is
// signed now.
type Timing struct {
	DNSKEYTTL time.Duration // of the DNSKEY RRset
	MaxTTL    time.Duration // the largest TTL in the zone (signatures cached that long)
}

// DSLookup asks the parent for the zone's DS RRset: the records and
// their TTL, or an error (no answer is not an error: an empty set).
type DSLookup func(ctx context.Context, zone string) ([]*dns.DS, time.Duration, error)

// Step is one thing a rollover did, for the log and the audit trail.
type Step struct {
	Zone string
	What string
}

// Advance moves the zone's keys along their timelines at now (with the
// TTLs of the zone as last signed): a ZSK
// rolled by pre-publication when its lifetime is over (RFC 6781 section
// 4.1.1.1), and a KSK or CSK rollover the operator started, its new
// key's DS looked for with ds (nil: only `zonerw dnssec submitted` says
// the parent has it). It returns the steps taken; any step changes the
// keys, and the zone must be signed again.
func (kp *Keeper) Advance(ctx context.Context, now time.Time, ds DSLookup) ([]Step, error) {
	// The parent is asked before the lock is taken: a slow answer holds
	// up nobody who only reads the keys.
	kp.mu.Lock()
	ask := ds != nil && kp.keys.Rolling && len(kp.keys.having(kp.parentRole(), StateReady)) > 0
	kp.mu.Unlock()
	var dsSet []*dns.DS
	var dsTTL time.Duration
	var dsErr error
	if ask {
		dsSet, dsTTL, dsErr = ds(ctx, kp.zone)
	}
	kp.mu.Lock()
	defer kp.mu.Unlock()
	t := kp.timing
	var steps []Step
	say := func(format string, args ...any) {
		steps = append(steps, Step{Zone: kp.zone, What: fmt.Sprintf(format, args...)})
	}
	_, err := kp.change(func(ks *KeySet) (bool, error) {
		before := len(steps)
		kp.rollZSK(ks, now, t, say)
		kp.rollParentKey(ks, now, t, dsSet, dsTTL, dsErr == nil && ds != nil, say)
		return len(steps) > before, nil
	})
	if err != nil {
		return nil, err
	}
	if dsErr != nil {
		return steps, fmt.Errorf("zone %s: ask the parent for the DS: %w", kp.zone, dsErr)
	}
	return steps, nil
}

// parentRole is the role whose DS the parent holds.
func (kp *Keeper) parentRole() Role {
	if kp.policy.SplitKeys {
		return RoleKSK
	}
	return RoleCSK
}

// rollZSK: a new ZSK is published when the active one's lifetime is
// over; it signs once its DNSKEY has spread; the old one goes once its
// signatures have left the caches.
func (kp *Keeper) rollZSK(ks *KeySet, now time.Time, t Timing, say func(string, ...any)) {
	if !kp.policy.SplitKeys || kp.policy.ZSKLifetime == 0 {
		return
	}
	delay := kp.policy.PropagationDelay
	active, published := ks.having(RoleZSK, StateActive), ks.having(RoleZSK, StatePublished)
	for _, k := range ks.having(RoleZSK, StateRetired) {
		if !now.Before(k.Since.Add(t.MaxTTL + delay)) {
			ks.remove(k)
			say("%s removed: its signatures have expired from caches", k)
		}
	}
	for _, k := range published {
		if now.Before(k.Since.Add(t.DNSKEYTTL + delay)) {
			continue
		}
		for _, old := range active {
			old.State, old.Since = StateRetired, now
			say("%s retired, still published while its signatures are cached", old)
		}
		k.State, k.Since = StateActive, now
		say("%s active: it signs the zone", k)
		return
	}
	if len(published) == 0 && len(active) == 1 && !now.Before(active[0].Since.Add(kp.policy.ZSKLifetime)) {
		k, err := ks.newKey(RoleZSK, kp.policy.Algorithm, now)
		if err != nil {
			say("cannot make the next ZSK: %v", err)
			return
		}
		k.State = StatePublished
		ks.Keys = append(ks.Keys, k)
		say("%s published: the ZSK rollover begins (%s is %s old)", k, active[0], now.Sub(active[0].Since).Round(time.Second))
	}
}

// rollParentKey drives a KSK or CSK rollover: the new key, published at
// the start, becomes ready (it signs, its CDS and CDNSKEY are published,
// the old key only signs the DNSKEY RRset) once its DNSKEY has spread;
// once the parent's DS for it has been seen and the parent's old DS has
// left the caches (and, for a CSK, the old key's signatures too), it is
// the active key and the old one is removed.
func (kp *Keeper) rollParentKey(ks *KeySet, now time.Time, t Timing, dsSet []*dns.DS, dsTTL time.Duration, looked bool, say func(string, ...any)) {
	if !ks.Rolling {
		return
	}
	role, delay := kp.parentRole(), kp.policy.PropagationDelay
	for _, k := range ks.having(role, StatePublished) {
		if now.Before(k.Since.Add(t.DNSKEYTTL + delay)) {
			continue
		}
		for _, old := range ks.having(role, StateActive) {
			old.State, old.Since = StateRetired, now
			say("%s retired: it signs the DNSKEY RRset alone, for validators with the old DS", old)
		}
		k.State, k.Since = StateReady, now
		say("%s ready: its CDS and CDNSKEY are published; give the parent its DS: %s", k, k.DS())
	}
	for _, k := range ks.having(role, StateReady) {
		if k.DSSeen.IsZero() && looked && hasDS(dsSet, k) {
			k.DSSeen = now
			k.dsTTL = dsTTL
			say("%s: the parent's DS names it (TTL %s)", k, dsTTL)
		}
		if k.DSSeen.IsZero() {
			continue
		}
		wait := k.DSSeen.Add(max(k.dsTTL, t.DNSKEYTTL) + delay)
		if role == RoleCSK {
			wait = later(wait, k.Since.Add(t.MaxTTL+delay))
		}
		if now.Before(wait) {
			continue
		}
		for _, old := range ks.having(role, StateRetired) {
			ks.remove(old)
			say("%s removed", old)
		}
		k.State, k.Since = StateActive, now
		ks.Rolling = false
		say("%s active: the %s rollover is complete", k, strings.ToUpper(string(role)))
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// hasDS reports whether set holds a DS of k (key tag, algorithm and digest).
func hasDS(set []*dns.DS, k *Key) bool {
	want := k.DS()
	for _, d := range set {
		if d.KeyTag == want.KeyTag && d.Algorithm == want.Algorithm && d.DigestType == want.DigestType && strings.EqualFold(d.Digest, want.Digest) {
			return true
		}
	}
	return false
}

// ErrRolling is returned when a rollover is asked for while one runs.
var ErrRolling = errors.New("a rollover is already under way")

// StartRollover begins a KSK (ksk+zsk) or CSK rollover: a new key is
// made and published. The zone must be signed again.
func (kp *Keeper) StartRollover(now time.Time) (Step, error) {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	var step Step
	_, err := kp.change(func(ks *KeySet) (bool, error) {
		if ks.Rolling {
			return false, fmt.Errorf("zone %s: %w", kp.zone, ErrRolling)
		}
		k, err := ks.newKey(kp.parentRole(), kp.policy.Algorithm, now)
		if err != nil {
			return false, err
		}
		k.State = StatePublished
		ks.Keys = append(ks.Keys, k)
		ks.Rolling = true
		step = Step{Zone: kp.zone, What: fmt.Sprintf("%s published: the rollover begins", k)}
		return true, nil
	})
	return step, err
}

// Submitted records that the parent holds the DS of the new key (for a
// parent zonerw cannot ask): the rollover goes on as if a query had seen
// it now, with a DS TTL of ttl.
func (kp *Keeper) Submitted(now time.Time, ttl time.Duration) (Step, error) {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	var step Step
	_, err := kp.change(func(ks *KeySet) (bool, error) {
		ready := ks.having(kp.parentRole(), StateReady)
		if len(ready) == 0 {
			return false, fmt.Errorf("zone %s: no new key is waiting for its DS (a rollover must be started and its key ready)", kp.zone)
		}
		ready[0].DSSeen, ready[0].dsTTL = now, ttl
		step = Step{Zone: kp.zone, What: fmt.Sprintf("%s: the operator says the parent holds its DS", ready[0])}
		return true, nil
	})
	return step, err
}

// newKey makes a key of role for the set's zone whose tag no key of the
// set has, so that a signature names its key without doubt.
func (ks *KeySet) newKey(role Role, alg uint8, now time.Time) (*Key, error) {
	for {
		k, err := newKey(ks.zone, role, alg, 0, now)
		if err != nil || !slices.ContainsFunc(ks.Keys, func(o *Key) bool { return o.Tag() == k.Tag() }) {
			return k, err
		}
	}
}
