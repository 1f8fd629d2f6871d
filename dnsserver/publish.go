package dnsserver

import (
	"fmt"

	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/crashpoint"
)

// Publish makes v the served version of its zone in one step and sends
// NOTIFY to the zone's secondaries. The zone must be configured and v's
// serial greater (RFC 1982) than the served one's; the served serial again
// is accepted only with the same content (the same version recompiled),
// which is swapped in without a NOTIFY. IXFR serves v's journal. On error
// the previous version keeps being served. Publish costs nothing that
// grows with the zone: the version is read in place.
func (s *Server) Publish(v *zones.Version) error {
	origin := v.Origin()
	zc := s.zones[origin]
	if zc == nil {
		return fmt.Errorf("publish: zone %s is not configured", origin)
	}
	s.publishMu.Lock()
	defer s.publishMu.Unlock()
	notify := true
	if old := s.snap.Load().zones[origin]; old != nil {
		switch {
		case old.v == v:
			return nil
		case old.serial() == v.Serial() && !v.SameContent(old.v):
			return fmt.Errorf("publish: zone %s changed but its serial %d did not", origin, v.Serial())
		case old.serial() == v.Serial():
			notify = false
		case !serialLess(old.serial(), v.Serial()):
			return fmt.Errorf("publish: zone %s serial %d is not greater than the served %d", origin, v.Serial(), old.serial())
		}
	}
	ix := newIndex(v, s.stats.zones[origin])
	s.snap.Store(s.snap.Load().with(ix))
	crashpoint.Hit(crashpoint.ServeSwapped, origin)
	s.log.Info("zone published", "zone", origin, "serial", v.Serial(), "records", v.Records(), "journal", len(v.Journal()))
	if notify {
		s.startNotify(zc, ix)
	}
	return nil
}

// Current is the served version of zone, nil when none is.
func (s *Server) Current(zone string) *zones.Version {
	if ix := s.snap.Load().zones[canonical(zone)]; ix != nil {
		return ix.v
	}
	return nil
}
