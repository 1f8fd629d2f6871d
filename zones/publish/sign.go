package publish

import (
	"fmt"
	"net/netip"
	"slices"
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
	// Prepare signs and verifies, ahead of need, the SOA RRset of a
	// version with each of serials, for NewVersion to use.
	Prepare(serials []uint32) error
	// Anticipate signs and verifies, ahead of need, the RRsets a version
	// filled by fill would change, for NewVersion to use.
	Anticipate(fill zones.Fill) error
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
func (c *Compiled) signedReuse(rel *Release, draft *zones.Version, cur *Release) (*Release, bool, error) {
	if c.signed == nil || rel.Version != draft {
		return rel, false, nil
	}
	if cur != nil && cur.Version.Signed() && cur.Version.Serial() == draft.Serial() {
		// The same content under the same serial keeps the signatures it
		// went out with (a start, a reload): signed again, one serial
		// would name two zones, and the next IXFR would delete records
		// the secondaries do not hold. Signatures due for refreshing get
		// a new serial (Resign).
		return &Release{Zone: rel.Zone, Version: cur.Version, Values: rel.Values}, false, nil
	}
	v, err := c.Version(draft.Serial(), rel.Values)
	if err != nil {
		return nil, false, fmt.Errorf("zone %s: %w", c.Zone.Name, err)
	}
	v.SetJournal(draft.Journal())
	return &Release{Zone: rel.Zone, Version: v, Values: rel.Values}, false, nil
}

// signAhead has the SOA of e's next version signed in the background
// while the pipeline runs, so that a failover signs only the RRsets it
// changes (dnssec.Signed.Prepare). The next serial is known ahead except
// under the unixtime policy: the one after e's, and for a date serial
// also the first of tomorrow's (Resign, every minute in the daemon,
// moves that on). A version whose SOA was not signed ahead signs its
// own. p.mu is held.
func (p *Pipeline) signAhead(e *zoneEntry) {
	c := e.compiled
	if !p.active || c == nil || c.signed == nil || c.FixedSerial || c.Zone.Policy == zones.UnixTime {
		return
	}
	now := p.cfg.Now()
	y, m, d := now.Date()
	var serials []uint32
	for _, at := range []time.Time{now, time.Date(y, m, d+1, 0, 0, 0, 0, now.Location())} {
		if s, err := zones.NextSerial(c.Zone.Policy, e.floor, e.hasFloor, at); err == nil && !slices.Contains(serials, s) {
			serials = append(serials, s)
		}
	}
	sb, log, zone := c.signed, p.cfg.Log, e.name
	p.ahead.Go(func() {
		if err := sb.Prepare(serials); err != nil {
			log.Warn("cannot sign the next SOA ahead; the next version signs its own", "zone", zone, "err", err)
		}
	})
}

// Anticipate has the RRsets that each of alts (the values the next
// failovers could publish: in the daemon, each service on each of its
// other targets) would change signed in the background, for every signed
// zone, so that such a failover, when it comes, signs nothing (its SOA is
// signed ahead too, signAhead). Values that a zone cannot be filled with
// are left to fail when, and if, they are published.
func (p *Pipeline) Anticipate(alts []Values) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.active || len(alts) == 0 {
		return
	}
	for _, name := range p.order {
		c := p.zones[name].compiled
		if c == nil || c.signed == nil {
			continue
		}
		sb := c.signed
		p.ahead.Go(func() {
			for _, v := range alts {
				_ = sb.Anticipate(func(s zones.Slot) ([]netip.Addr, uint32, error) { return fill(s, v) })
			}
		})
	}
}
