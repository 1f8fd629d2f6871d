package publish

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/zonerw/zonerw/zones"
)

// Signer signs a zone (DNSSEC): once per compile, the compiled Base; then
// each version's dynamic RRsets (see zones/dnssec).
type Signer interface {
	// SignBase returns the compiled, unsigned base signed.
	SignBase(unsigned *zones.Base) (SignedBase, error)
	// Stale reports whether sb must be signed again at now: its
	// signatures are due for refresh, or the keys changed.
	Stale(sb SignedBase, now time.Time) bool
	// VersionDue reports whether cur, the version served now (made by an
	// earlier compile, perhaps by an earlier run), holds signatures due
	// for refresh at now.
	VersionDue(sb SignedBase, cur *zones.Version, now time.Time) bool
}

// SignedBase is one compile signed.
type SignedBase interface {
	Base() *zones.Base
	// NewVersion makes a version with its dynamic RRsets signed and
	// verified; a version that does not verify is an error.
	NewVersion(serial uint32, fill zones.Fill) (*zones.Version, error)
}

// sign signs c's base when its zone is signed. It is part of Compile.
func (c *Compiled) sign() error {
	if c.Zone.Signer == nil {
		return nil
	}
	sb, err := c.Zone.Signer.SignBase(c.Unsigned)
	if err != nil {
		return err
	}
	c.Base, c.signed = sb.Base(), sb
	return nil
}

// Signed reports whether the compile is signed.
func (c *Compiled) Signed() bool { return c.signed != nil }

// resigned is c signed anew (fresh signatures, the keys as they are now),
// sharing its zone and unsigned base.
func (c *Compiled) resigned() (*Compiled, error) {
	n := &Compiled{Zone: c.Zone, Unsigned: c.Unsigned, Base: c.Unsigned, FixedSerial: c.FixedSerial}
	if err := n.sign(); err != nil {
		return nil, err
	}
	return n, nil
}

// draft makes the version of the zone for v with serial, its dynamic
// RRsets unsigned: only to tell whether the content changed (signatures
// do not count in a version's content), never to be published.
func (c *Compiled) draft(serial uint32, v Values) (*zones.Version, error) {
	if c.signed == nil || c.FixedSerial {
		return c.Version(serial, v)
	}
	return zones.NewVersion(c.Base, serial, func(s zones.Slot) ([]netip.Addr, uint32, error) { return fill(s, v) })
}

// signedReuse is the release kept for unchanged content: when it is the
// draft itself (the same content on a new compile), a signed zone makes
// it again with its dynamic RRsets signed, at the same serial and with
// the journal the draft was given.
func (c *Compiled) signedReuse(rel *Release, draft *zones.Version) (*Release, bool, error) {
	if c.signed == nil || rel.Version != draft {
		return rel, false, nil
	}
	v, err := c.Version(draft.Serial(), rel.Values)
	if err != nil {
		return nil, false, fmt.Errorf("zone %s: %w", c.Zone.Name, err)
	}
	v.SetJournal(draft.Journal())
	return &Release{Zone: rel.Zone, Version: v, Values: rel.Values}, false, nil
}
