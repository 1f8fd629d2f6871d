package dnssec

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// KeySet is a zone's keys at one moment. A KeySet handed out by a Keeper
// is a copy: it does not change.
type KeySet struct {
	zone    string
	Keys    []*Key
	Rolling bool // a KSK or CSK rollover is under way
}

// clone copies ks deeply enough that the Keeper may change its own.
func (ks *KeySet) clone() *KeySet {
	c := &KeySet{zone: ks.zone, Rolling: ks.Rolling}
	for _, k := range ks.Keys {
		kc := *k
		c.Keys = append(c.Keys, &kc)
	}
	return c
}

// Zone is the zone the keys are for (canonical).
func (ks *KeySet) Zone() string { return ks.zone }

// dnskeys is the DNSKEY RRset: every key the zone holds, TTL ttl.
func (ks *KeySet) dnskeys(ttl uint32) []dns.RR {
	out := make([]dns.RR, 0, len(ks.Keys))
	for _, k := range ks.Keys {
		c := *k.DNSKEY
		c.Hdr.Ttl = ttl
		out = append(out, &c)
	}
	return out
}

// zoneSigners are the keys that sign the RRsets other than DNSKEY, CDS and CDNSKEY.
func (ks *KeySet) zoneSigners() []*Key {
	var out []*Key
	for _, k := range ks.Keys {
		if k.signsZone() {
			out = append(out, k)
		}
	}
	return out
}

// keySigners are the keys that sign DNSKEY, CDS and CDNSKEY.
func (ks *KeySet) keySigners() []*Key {
	var out []*Key
	for _, k := range ks.Keys {
		if k.signsKeys() {
			out = append(out, k)
		}
	}
	return out
}

// ForParent is the key whose DS the parent should hold: during a
// rollover the new one once it is ready, else the active KSK or CSK.
func (ks *KeySet) ForParent() *Key {
	var active *Key
	for _, k := range ks.Keys {
		switch {
		case k.Role == RoleZSK:
		case k.State == StateReady:
			return k
		case k.State == StateActive && active == nil:
			active = k
		}
	}
	return active
}

// Keeper owns one zone's keys: it makes them when there are none, keeps
// them in the key file, and moves them through their rollovers. Its
// methods are safe for concurrent use.
type Keeper struct {
	dir    string
	zone   string
	policy Policy

	mu     sync.Mutex
	keys   *KeySet
	gen    uint64 // counts changes, so that a signed zone knows it is stale
	timing Timing // of the zone as last signed
	// readOnly keeps the key file as it is (zonerw check, --dry-run):
	// keys made or moved live in memory only.
	readOnly bool
}

// setTiming records the TTLs of the zone as last signed.
func (kp *Keeper) setTiming(t Timing) {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	kp.timing = t
}

// Timing is what the rollover steps wait for, as of the last signing
// (zero before the first).
func (kp *Keeper) Timing() Timing {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	return kp.timing
}

// OpenKeeper reads zone's keys from dir (a directory under the state
// directory), making and storing them when the zone has none. Keys that
// do not fit the policy (another algorithm, csk against ksk+zsk) are an
// error: changing them is a rollover zonerw does not do on its own.
func OpenKeeper(dir, zone string, p Policy, now time.Time) (*Keeper, error) {
	return openKeeper(dir, zone, p, now, false)
}

// OpenKeeperReadOnly is OpenKeeper for commands that change nothing: a
// zone without keys gets keys made for the occasion, never stored.
func OpenKeeperReadOnly(dir, zone string, p Policy, now time.Time) (*Keeper, error) {
	return openKeeper(dir, zone, p, now, true)
}

func openKeeper(dir, zone string, p Policy, now time.Time, readOnly bool) (*Keeper, error) {
	p = p.WithDefaults()
	zone = dns.CanonicalName(zone)
	ks, ok, err := readKeys(dir, zone)
	if err != nil {
		return nil, err
	}
	if !ok {
		if ks, err = initialKeys(zone, p, now); err != nil {
			return nil, err
		}
		if !readOnly {
			if err := writeKeys(dir, ks); err != nil {
				return nil, err
			}
		}
	}
	if err := fits(ks, p, keyPath(dir, zone)); err != nil {
		return nil, err
	}
	return &Keeper{dir: dir, zone: zone, policy: p, keys: ks, readOnly: readOnly}, nil
}

// initialKeys are a new zone's keys: one CSK, or a KSK and a ZSK.
func initialKeys(zone string, p Policy, now time.Time) (*KeySet, error) {
	ks := &KeySet{zone: zone}
	roles := []Role{RoleCSK}
	if p.SplitKeys {
		roles = []Role{RoleKSK, RoleZSK}
	}
	for _, r := range roles {
		k, err := ks.newKey(r, p.Algorithm, now)
		if err != nil {
			return nil, err
		}
		ks.Keys = append(ks.Keys, k)
	}
	return ks, nil
}

// fits checks that the stored keys are of the policy's algorithm and kind.
func fits(ks *KeySet, p Policy, path string) error {
	for _, k := range ks.Keys {
		if k.DNSKEY.Algorithm != p.Algorithm {
			return fmt.Errorf("zone %s: %s in %s is %s, the policy says %s: zonerw does not roll algorithms; move the file aside to start with new keys (the parent's DS must then be replaced)",
				ks.zone, k, path, dns.AlgorithmToString[k.DNSKEY.Algorithm], dns.AlgorithmToString[p.Algorithm])
		}
		if (k.Role == RoleCSK) == p.SplitKeys {
			want := "csk"
			if p.SplitKeys {
				want = "ksk+zsk"
			}
			return fmt.Errorf("zone %s: %s in %s does not fit keys: %s; move the file aside to start with new keys (the parent's DS must then be replaced)", ks.zone, k, path, want)
		}
	}
	if len(ks.zoneSigners()) == 0 || len(ks.keySigners()) == 0 {
		return fmt.Errorf("zone %s: %s holds no key that signs the zone, or none that signs its keys", ks.zone, path)
	}
	return nil
}

// Keys is a copy of the zone's keys now, and the change count it is at.
func (kp *Keeper) Keys() (*KeySet, uint64) {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	return kp.keys.clone(), kp.gen
}

// Generation is the change count: it moves whenever the keys change.
func (kp *Keeper) Generation() uint64 {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	return kp.gen
}

// Policy is the zone's signing policy, defaults filled.
func (kp *Keeper) Policy() Policy { return kp.policy }

// Zone is the zone's name (canonical).
func (kp *Keeper) Zone() string { return kp.zone }

// change applies fn to a copy of the keys and, when fn reports a change,
// stores the copy and makes it current. kp.mu is held.
func (kp *Keeper) change(fn func(ks *KeySet) (bool, error)) (bool, error) {
	next := kp.keys.clone()
	changed, err := fn(next)
	if err != nil || !changed {
		return false, err
	}
	if !kp.readOnly {
		if err := writeKeys(kp.dir, next); err != nil {
			return false, err
		}
	}
	kp.keys = next
	kp.gen++
	return true, nil
}

// active returns the keys of role in state.
func (ks *KeySet) having(role Role, state State) []*Key {
	var out []*Key
	for _, k := range ks.Keys {
		if k.Role == role && k.State == state {
			out = append(out, k)
		}
	}
	return out
}

func (ks *KeySet) remove(k *Key) {
	ks.Keys = slices.DeleteFunc(ks.Keys, func(o *Key) bool { return o == k })
}

// OpenExisting opens zone's keys in dir when it has some (nil, nil when
// it has none), making none.
func OpenExisting(dir, zone string, p Policy) (*Keeper, error) {
	p = p.WithDefaults()
	zone = dns.CanonicalName(zone)
	ks, ok, err := readKeys(dir, zone)
	if err != nil || !ok {
		return nil, err
	}
	return &Keeper{dir: dir, zone: zone, policy: p, keys: ks}, nil
}
