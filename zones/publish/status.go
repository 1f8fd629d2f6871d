package publish

import (
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

// ZoneStatus is what the pipeline knows of one zone.
type ZoneStatus struct {
	Name   string
	Serial uint32 // of the current version; 0 before the first
	Digest string // of the current version
	Broken string // why its template does not compile, if it does not
	// Held is set while the zone has no compiled template at all (its
	// template broke before any compile, as at a start): it serves what
	// it has, and decisions do not reach it until a reload compiles.
	Held       bool
	StoreError string // why its current version is not stored, if it is not
	// SignaturesExpire is when the oldest signatures the secondaries
	// hold expire (a signed zone; zero otherwise). Re-signing keeps it
	// days ahead; a value that comes near means re-signing fails.
	SignaturesExpire time.Time
	Destinations     []DestinationStatus
}

// Status returns every zone's status, in the order the zones were added,
// and every value destination's.
func (p *Pipeline) Status() ([]ZoneStatus, []DestinationStatus) {
	p.mu.Lock()
	defer p.mu.Unlock()
	zs := make([]ZoneStatus, 0, len(p.order))
	for _, name := range p.order {
		e := p.zones[name]
		s := ZoneStatus{Name: name, Serial: e.serial()}
		if e.cur != nil {
			s.Digest = e.cur.Version.Digest()
		}
		if e.broken != nil {
			s.Broken = e.broken.Error()
		}
		s.Held = e.compiled == nil
		if e.saveErr != nil {
			s.StoreError = e.saveErr.Error()
		}
		s.SignaturesExpire = signaturesExpire(e.current())
		for _, w := range e.workers {
			s.Destinations = append(s.Destinations, w.status())
		}
		zs = append(zs, s)
	}
	var vs []DestinationStatus
	for _, w := range p.vworker {
		vs = append(vs, w.status())
	}
	return zs, vs
}

// signaturesExpire is when the oldest signatures of v expire, zero when v
// is unsigned (or nil). Those are the apex's: every signature made when
// the zone was signed shares one validity window, and each version's own
// (the SOA's, a changed RRset's) was made after it, so expires later;
// the apex holds one of each.
func signaturesExpire(v *zones.Version) time.Time {
	if v == nil || !v.Signed() {
		return time.Time{}
	}
	s, ok := v.Apex().RRset(dns.TypeRRSIG)
	if !ok {
		return time.Time{}
	}
	var first time.Time
	for _, rr := range s.Records(v.Origin()) {
		at := time.Unix(int64(rr.(*dns.RRSIG).Expiration), 0)
		if first.IsZero() || at.Before(first) {
			first = at
		}
	}
	return first
}

// Current is the zone's newest version, nil before it has one.
func (p *Pipeline) Current(zone string) *zones.Version {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.zones[zone]; e != nil && e.cur != nil {
		return e.cur.Version
	}
	return nil
}

// Values is what was last published, and false before the first time.
func (p *Pipeline) Values() (Values, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.values, p.haveVal
}

// Floor is the zone's serial floor (every serial seen), and whether there is one.
func (p *Pipeline) Floor(zone string) (uint32, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.zones[zone]; e != nil {
		return e.floor, e.hasFloor
	}
	return 0, false
}
