package publish

import (
	"time"

	"github.com/zonerw/zonerw/zones"
)

// Resign signs again, with a new serial, every signed zone whose
// signatures are due for refresh or whose keys changed (a rollover
// step), and hands the new version on as Publish does. It also keeps
// each zone's next SOA signed ahead (signAhead). The signing, whose
// cost is the size of the zone, runs without holding up Publish: a
// failover meanwhile is published at once, and the re-signed zone then
// carries the values it left.
func (p *Pipeline) Resign(now time.Time) []Change {
	type due struct {
		e     *zoneEntry
		c     *Compiled
		stale bool // the compile must be signed again; else only its serial moves
	}
	p.mu.Lock()
	var work []due
	for _, name := range p.order {
		e := p.zones[name]
		c := e.compiled
		if c == nil || c.signed == nil {
			continue
		}
		p.signAhead(e) // a date serial's next may have moved to a new day
		if stale := c.Zone.Signer.Stale(c.signed, now); stale || c.Zone.Signer.VersionDue(c.signed, e.current(), now) {
			work = append(work, due{e, c, stale})
		}
	}
	p.mu.Unlock()
	var out []Change
	for _, w := range work {
		n := w.c
		if w.stale {
			var err error
			if n, err = w.c.resigned(); err != nil {
				out = append(out, Change{Zone: w.e.name, Serial: p.serialOf(w.e), Err: err})
				continue
			}
		}
		if ch, ok := p.commitResigned(w.e, w.c, n); ok {
			out = append(out, ch)
		}
	}
	return out
}

// commitResigned publishes the re-signed compile n of e in place of old,
// unless a reload replaced old meanwhile (its compile is signed afresh).
func (p *Pipeline) commitResigned(e *zoneEntry, old, n *Compiled) (Change, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e.compiled != old {
		return Change{}, false
	}
	rel, changed, err := p.next(e, n, p.values, true)
	if err != nil {
		return Change{Zone: e.name, Serial: e.serial(), Err: err}, true
	}
	e.compiled = n
	ch := p.commit(e, rel, changed)
	p.offerValues()
	return ch, true
}

func (p *Pipeline) serialOf(e *zoneEntry) uint32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return e.serial()
}

// Compiled is the zone's current compile, nil before it has one.
func (p *Pipeline) Compiled(zone string) *Compiled {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.zones[zone]; e != nil {
		return e.compiled
	}
	return nil
}

// current is the version whose signatures the zone's destinations hold:
// the first made with the current serial (see zoneEntry.served), nil
// when none. p.mu is held.
func (e *zoneEntry) current() *zones.Version { return e.served }
