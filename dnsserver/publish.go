package dnsserver

import (
	"fmt"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

// Publish makes z the served version of its zone in one step, records the
// change in the zone's IXFR journal (and on disk) and sends NOTIFY to the
// zone's secondaries. The zone must be configured, and its serial greater
// (RFC 1982) than the served one; republishing the served version is a
// no-op. On error the previous version keeps being served.
func (s *Server) Publish(z *zones.Zone) error {
	ix, err := buildIndex(z)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	zc := s.zones[ix.origin]
	if zc == nil {
		return fmt.Errorf("publish: zone %s is not configured", ix.origin)
	}
	ix.counts = s.stats.zones[ix.origin]
	s.publishMu.Lock()
	defer s.publishMu.Unlock()
	old := s.snap.Load().zones[ix.origin]
	changed, err := s.chain(ix, old)
	if err != nil || !changed {
		return err
	}
	delete(s.stored, ix.origin)
	s.persist(ix)
	s.snap.Store(s.snap.Load().with(ix))
	s.log.Info("zone published", "zone", ix.origin, "serial", z.Serial(), "records", len(z.Records), "journal", len(ix.journal))
	s.startNotify(zc, ix)
	return nil
}

// chain sets ix's journal from the version it follows: the served one
// (old), or at the first publish the version stored in JournalDir. It
// returns false when ix is the served version again.
func (s *Server) chain(ix, old *zoneIndex) (bool, error) {
	prev, journal := s.stored[ix.origin].zone, s.stored[ix.origin].journal
	if old != nil {
		prev, journal = old.zone, old.journal
	}
	if prev == nil {
		return true, nil
	}
	serial, prevSerial := ix.zone.Serial(), prev.Serial()
	switch {
	case serial == prevSerial:
		if del, add := zones.Diff(prev, ix.zone); len(del)+len(add) > 0 {
			return false, fmt.Errorf("publish: zone %s changed but its serial %d did not", ix.origin, serial)
		}
		ix.journal = journal
		return old == nil, nil
	case serialLess(prevSerial, serial):
		ix.journal = appendDelta(journal, makeDelta(prev, ix.zone), s.cfg.JournalSize, len(ix.zone.Records))
		return true, nil
	case old != nil:
		return false, fmt.Errorf("publish: zone %s serial %d is not greater than the served %d", ix.origin, serial, prevSerial)
	default:
		s.log.Warn("stored zone version is newer than the published one; journal dropped", "zone", ix.origin, "stored", prevSerial, "published", serial)
		return true, nil
	}
}

// ServeStored serves again the version of zone that an earlier run left in
// JournalDir, for a zone whose new version cannot be made (a broken
// template at start-up). It returns that version's serial, or an error
// when no version is stored.
func (s *Server) ServeStored(zone string) (uint32, error) {
	origin := dns.CanonicalName(zone)
	s.publishMu.Lock()
	z := s.stored[origin].zone
	s.publishMu.Unlock()
	if z == nil {
		return 0, fmt.Errorf("zone %s: no version stored in %s by an earlier run", origin, s.cfg.JournalDir)
	}
	return z.Serial(), s.Publish(z)
}
