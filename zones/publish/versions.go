package publish

import (
	"errors"
	"fmt"
	"strings"

	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/crashpoint"
)

// Change is what one zone did in a Publish or an Apply.
type Change struct {
	Zone    string
	Serial  uint32 // the zone's serial now
	Changed bool   // a new version was made
	Err     error  // why no version could be made, or why it was not stored
}

// Apply takes freshly compiled zones (a load, a reload, --force) and
// publishes each with values: a new version with the next serial when its
// content changed (always, with force), else the same serial on the new
// compile. With whole, a zone that cannot make its version stops them
// all: nothing is applied and the error names each such zone (a reload
// applies whole or not at all). Without it (start-up), each zone goes on
// its own and its error is in its Change.
func (p *Pipeline) Apply(compiled []*Compiled, v Values, force, whole bool) ([]Change, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	type plan struct {
		e       *zoneEntry
		c       *Compiled
		rel     *Release
		changed bool
		err     error
	}
	plans := make([]plan, 0, len(compiled))
	var errs []error
	for _, c := range compiled {
		e := p.zones[c.Zone.Name]
		if e == nil {
			return nil, fmt.Errorf("zone %s is not served by this pipeline", c.Zone.Name)
		}
		rel, changed, err := p.next(e, c, v, force)
		plans = append(plans, plan{e, c, rel, changed, err})
		if err != nil {
			errs = append(errs, err)
		}
	}
	if whole && len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	p.values, p.haveVal = v, true
	out := make([]Change, 0, len(plans))
	for _, pl := range plans {
		if pl.err != nil {
			pl.e.broken = pl.err
			out = append(out, Change{Zone: pl.e.name, Serial: pl.e.serial(), Err: pl.err})
			continue
		}
		pl.e.compiled, pl.e.broken = pl.c, nil
		out = append(out, p.commit(pl.e, pl.rel, pl.changed))
	}
	p.offerValues()
	return out, nil
}

// Plan is what Apply would do with compiled and v, without doing it: each
// zone's serial and whether its content changed (zonerw check, --dry-run).
func (p *Pipeline) Plan(compiled []*Compiled, v Values, force bool) []Change {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Change
	for _, c := range compiled {
		e := p.zones[c.Zone.Name]
		if e == nil {
			out = append(out, Change{Zone: c.Zone.Name, Err: fmt.Errorf("zone %s is not served by this pipeline", c.Zone.Name)})
			continue
		}
		rel, changed, err := p.next(e, c, v, force)
		if err != nil {
			out = append(out, Change{Zone: e.name, Serial: e.serial(), Err: err})
			continue
		}
		out = append(out, Change{Zone: e.name, Serial: rel.Version.Serial(), Changed: changed})
	}
	return out
}

// SetBroken records the zones whose templates do not compile. Each keeps
// what it serves (and its last good compile, if any) until one does.
func (p *Pipeline) SetBroken(broken map[string]error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for name, err := range broken {
		if e := p.zones[name]; e != nil {
			e.broken = err
		}
	}
}

// Publish makes the next version of every compiled zone for values (what
// the services serve after a round's decisions, or a pin), records it and
// hands it to the destinations. A zone whose content does not change is
// left as it is. It costs the size of the change, not of the zones.
func (p *Pipeline) Publish(v Values) []Change {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.values, p.haveVal = v, true
	var out []Change
	for _, name := range p.order {
		e := p.zones[name]
		if e.compiled == nil {
			continue
		}
		rel, changed, err := p.next(e, e.compiled, v, false)
		if err != nil {
			out = append(out, Change{Zone: name, Serial: e.serial(), Err: err})
			continue
		}
		out = append(out, p.commit(e, rel, changed))
	}
	p.offerValues()
	return out
}

func (p *Pipeline) offerValues() {
	for _, w := range p.vworker {
		w.offer(p.values)
	}
}

// ErrNotStored marks a version that was made and offered (so served) but
// not stored: a Change with it has the new serial and Changed set.
var ErrNotStored = errors.New("not stored")

// commit makes rel the zone's current release: it is stored first (its
// journal entry appended and synced), then offered to every destination.
// A store that fails does not hold the release back (serving the failover
// matters more), but is reported. p.mu is held.
func (p *Pipeline) commit(e *zoneEntry, rel *Release, changed bool) Change {
	ch := Change{Zone: e.name, Serial: rel.Version.Serial(), Changed: changed}
	if rel == e.cur {
		return ch
	}
	crashpoint.Hit(crashpoint.VersionMade, e.name)
	if err := p.cfg.Store.Save(rel.Version); err != nil {
		e.saveErr = err
		ch.Err = fmt.Errorf("zone %s: %w: %w (it is served, but a restart may not know it)", e.name, ErrNotStored, err)
		// The caller reports ch.Err; this line is for tracing the retries.
		p.cfg.Log.Debug("cannot store the zone's new version; it is tried again", "zone", e.name, "serial", ch.Serial, "err", err)
		p.storeFailed()
	} else {
		e.saveErr = nil
	}
	if e.cur == nil || e.cur.Version.Serial() != ch.Serial {
		e.served = rel.Version
	}
	crashpoint.Hit(crashpoint.VersionStored, e.name)
	e.cur = rel
	e.raise(ch.Serial)
	// Started before the destinations are woken, so that they, not the
	// signing, run first when this goroutine next waits.
	p.signAhead(e)
	for _, w := range e.workers {
		w.offer(rel)
	}
	crashpoint.Hit(crashpoint.VersionOffered, e.name)
	return ch
}

// serial is the zone's current serial, 0 when it has none.
func (e *zoneEntry) serial() uint32 {
	if e.cur == nil {
		return 0
	}
	return e.cur.Version.Serial()
}

// next is the release e would publish for values v with compile c, and
// whether its content differs from what the zone serves. It changes
// nothing. p.mu is held.
func (p *Pipeline) next(e *zoneEntry, c *Compiled, v Values, force bool) (*Release, bool, error) {
	guess := e.floor
	switch {
	case e.cur != nil:
		guess = e.cur.Version.Serial()
	case e.state.Digest != "" && e.state.Serial != 0:
		// The state file's digest (see unchanged) is of its serial: the
		// same content keeps that serial only if no higher one was seen.
		guess = e.state.Serial
	}
	draft, err := c.draft(max(guess, 1), v) // sign.go: unsigned, for the comparison
	if err != nil {
		return nil, false, fmt.Errorf("zone %s: %w", e.name, err)
	}
	rel := &Release{Zone: c.Zone, Version: draft, Values: v}
	same := e.unchanged(draft)
	if c.FixedSerial {
		return e.nextFixed(c, rel, same)
	}
	// The same content keeps its serial, unless a serial above it was seen
	// somewhere (a secondary, an older store): that serial may hold other
	// content, so the zone must move past it.
	if !force && same && (!e.hasFloor || draft.Serial() == e.floor) {
		return c.signedReuse(e.reuse(rel), draft, e.cur) // sign.go
	}
	serial, err := zones.NextSerial(c.Zone.Policy, e.floor, e.hasFloor, p.cfg.Now())
	if err != nil {
		return nil, false, fmt.Errorf("zone %s: %w", e.name, err)
	}
	if rel.Version, err = c.Version(serial, v); err != nil {
		return nil, false, fmt.Errorf("zone %s: %w", e.name, err)
	}
	if e.cur != nil {
		zones.Chain(e.cur.Version, rel.Version, p.cfg.Store.Limit())
	}
	return rel, true, nil
}

// nextFixed is next for a zone whose serial only its template sets.
func (e *zoneEntry) nextFixed(c *Compiled, rel *Release, same bool) (*Release, bool, error) {
	s := rel.Version.Serial()
	switch {
	case same && e.cur != nil && s == e.cur.Version.Serial():
		return e.reuse(rel), false, nil
	case e.cur != nil && s == e.cur.Version.Serial():
		return nil, false, e.fixedSerialError(c, "its content changed but its serial did not")
	case e.hasFloor && zones.SerialLess(s, e.floor):
		return nil, false, e.fixedSerialError(c, "its serial is below the last one published")
	case e.hasFloor && s == e.floor && !same:
		return nil, false, e.fixedSerialError(c, "its content changed but its serial did not")
	}
	if e.cur != nil {
		zones.Chain(e.cur.Version, rel.Version, zones.DefaultJournalSize)
	}
	return rel, !same || e.cur == nil || s != e.cur.Version.Serial(), nil
}

// reuse returns the release to keep for content equal to the current
// one: the current release itself when nothing was recompiled, else rel
// (the same content on the new compile) carrying the current journal.
func (e *zoneEntry) reuse(rel *Release) *Release {
	if e.cur == nil {
		return rel
	}
	if e.cur.Zone == rel.Zone && e.cur.Version.Base() == rel.Version.Base() {
		return e.cur
	}
	rel.Version.SetJournal(e.cur.Version.Journal())
	return rel
}

// unchanged reports whether v holds what the zone serves now: the current
// version, or, with none stored, the content the state file remembers.
func (e *zoneEntry) unchanged(v *zones.Version) bool {
	switch {
	case e.cur != nil:
		return v.SameContent(e.cur.Version)
	case e.state.Digest == "":
		return false
	case strings.HasPrefix(e.state.Digest, "v2:"):
		return v.Digest() == e.state.Digest
	}
	return v.Zone().Digest() == e.state.Digest // a state file written by an older zonerw
}

func (e *zoneEntry) fixedSerialError(c *Compiled, what string) error {
	last := e.floor
	if e.cur != nil {
		last = e.cur.Version.Serial()
	}
	return fmt.Errorf("zone %s: %s has no @serial number@ marker and %s (it is %d, the last published %d): raise the serial in its SOA",
		e.name, c.File, what, c.TemplateSerial(), last)
}
