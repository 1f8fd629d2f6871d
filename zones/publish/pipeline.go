package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/store"
)

// Release is one version of a zone as the pipeline hands it on: the
// version, and the zone and values it was made from (Zone is nil for a
// version restored from the store at start-up, before its template is
// compiled again: there is nothing to render it from).
type Release struct {
	Zone    *Zone
	Version *zones.Version
	Values  Values
}

// Destination is one place a zone's versions go (the embedded
// nameserver, a zone file and its reload command). Deliver is called by
// the destination's own worker, one call at a time, with the newest
// release; it returns once the destination holds it, or an error, and the
// worker retries (see Retry). ctx carries the attempt's deadline.
type Destination interface {
	Deliver(ctx context.Context, r *Release) error
}

// ValueDestination is a place the services' addresses go without a zone
// (a provider's API). Deliver is called like Destination.Deliver.
type ValueDestination interface {
	Deliver(ctx context.Context, v Values) error
}

// Config is what a Pipeline is built from. Store is required.
type Config struct {
	Store    *store.Store
	Log      *slog.Logger
	Now      func() time.Time
	Observer Observer // optional
	// StoreRetry paces storing again a version whose store failed
	// (storeretry.go; default 1s doubling to 30s). Attempts is unused.
	StoreRetry Retry
}

// Pipeline makes each zone's versions and hands them to the zones'
// destinations and to the value destinations, each through a worker of
// its own. Its methods are safe for concurrent use; versions are made one
// call at a time.
type Pipeline struct {
	cfg Config

	mu      sync.Mutex // serialises making versions; guards the fields below
	zones   map[string]*zoneEntry
	order   []string
	values  Values
	haveVal bool
	vworker []*valueWorker

	ctx    context.Context // while workers run
	hard   context.Context // cancelled at the end of Stop's grace
	stop   context.CancelFunc
	kill   context.CancelFunc
	wg     sync.WaitGroup
	active bool
	ahead  sync.WaitGroup // signAhead's signing (sign.go)

	storeWake chan struct{} // a store failed (storeretry.go)
}

// zoneEntry is one zone in the pipeline.
type zoneEntry struct {
	name     string
	compiled *Compiled // nil until compiled
	broken   error     // why the last compile failed, if it did
	cur      *Release  // the newest release
	floor    uint32    // every serial seen stored or served elsewhere
	hasFloor bool
	state    ZoneState // from the state file
	saveErr  error     // the last store failure
	workers  []*worker[*Release]
	// served is the first version made with the current serial: what the
	// secondaries and the output file hold, since a later one with the
	// same serial (the same content signed afresh) reaches neither. Its
	// signatures are the ones to refresh (resign.go).
	served *zones.Version
}

// New makes an empty pipeline.
func New(cfg Config) *Pipeline {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Pipeline{cfg: cfg, zones: map[string]*zoneEntry{}, storeWake: make(chan struct{}, 1)}
}

// AddZone adds a zone and reads its stored version: the zone starts from
// it (and from st, the state file's memory of it), and its serial never
// goes below any serial found. It returns what was wrong with the stored
// files, if anything.
func (p *Pipeline) AddZone(name string, st ZoneState) []string {
	stored := p.cfg.Store.Load(name)
	p.mu.Lock()
	defer p.mu.Unlock()
	e := &zoneEntry{name: name, state: st}
	if stored.HaveFloor {
		e.raise(stored.Floor)
	}
	if st.Serial != 0 {
		e.raise(st.Serial)
	}
	if stored.Version != nil {
		e.cur = &Release{Version: stored.Version}
		e.served = stored.Version
	}
	p.zones[name] = e
	p.order = append(p.order, name)
	return stored.Problems
}

// raise lifts the zone's serial floor to serial.
func (e *zoneEntry) raise(serial uint32) {
	if !e.hasFloor || zones.SerialLess(e.floor, serial) {
		e.floor, e.hasFloor = serial, true
	}
}

// RaiseFloor makes the zone's next serial go above serial (a secondary's,
// or an output file's left by an earlier run).
func (p *Pipeline) RaiseFloor(zone string, serial uint32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.zones[zone]; e != nil {
		e.raise(serial)
	}
}

// AddDestination gives the zone a destination with a worker of its own.
// Call it before Start.
func (p *Pipeline) AddDestination(zone, name string, d Destination, timeout time.Duration, retry Retry) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.zones[zone]
	w := newWorker(name, d.Deliver, describeRelease, timeout, retry, p.cfg.Observer, p.cfg.Now)
	e.workers = append(e.workers, w)
}

// valueWorker is a value destination's worker and what stops it alone.
type valueWorker struct {
	*worker[Values]
	cancel context.CancelFunc
}

// NamedValueDestination is a value destination with its worker's settings.
type NamedValueDestination struct {
	Name    string
	Dest    ValueDestination
	Timeout time.Duration
	Retry   Retry
}

// SetValueDestinations makes ds the value destinations, by name: a new
// name gets a worker (started at once if the pipeline runs), a name kept
// keeps its worker (and its status) with the new destination, a name gone
// has its worker stopped. The current values are offered to every one.
func (p *Pipeline) SetValueDestinations(ds []NamedValueDestination) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var next []*valueWorker
	for _, d := range ds {
		i := slices.IndexFunc(p.vworker, func(w *valueWorker) bool { return w.name == d.Name })
		if i >= 0 {
			w := p.vworker[i]
			w.replace(d.Dest.Deliver, d.Timeout, d.Retry)
			next = append(next, w)
			p.vworker = slices.Delete(p.vworker, i, i+1)
			continue
		}
		w := &valueWorker{worker: newWorker(d.Name, d.Dest.Deliver, func(Values) string { return "current addresses" }, d.Timeout, d.Retry, p.cfg.Observer, p.cfg.Now)}
		if p.active {
			p.startValueWorker(w)
		}
		next = append(next, w)
	}
	for _, gone := range p.vworker {
		if gone.cancel != nil {
			gone.cancel()
		}
	}
	p.vworker = next
	if p.haveVal {
		p.offerValues()
	}
}

// startValueWorker runs w until Stop or until it is replaced. p.mu is held.
func (p *Pipeline) startValueWorker(w *valueWorker) {
	ctx, cancel := context.WithCancel(p.ctx)
	w.cancel = cancel
	hard := p.hard
	p.wg.Go(func() { w.run(ctx, hard) })
}

func describeRelease(r *Release) string { return fmt.Sprintf("serial %d", r.Version.Serial()) }

// Restore offers each zone's stored version to its destinations, so the
// nameserver serves it from the first query while templates compile.
func (p *Pipeline) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, name := range p.order {
		if e := p.zones[name]; e.cur != nil {
			for _, w := range e.workers {
				w.offer(e.cur)
			}
		}
	}
}

// Start runs every destination's worker until Stop.
func (p *Pipeline) Start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	var hard context.Context
	p.ctx, p.stop = context.WithCancel(context.Background())
	hard, p.kill = context.WithCancel(context.Background())
	p.hard, p.active = hard, true
	for _, name := range p.order {
		for _, w := range p.zones[name].workers {
			p.wg.Go(func() { w.run(p.ctx, hard) })
		}
	}
	for _, w := range p.vworker {
		p.startValueWorker(w)
	}
	p.wg.Go(func() { p.retryStores(p.ctx) })
	for _, name := range p.order {
		p.signAhead(p.zones[name])
	}
}

// Stop stops the workers: none starts another attempt, and an attempt in
// progress gets grace to finish before it is cut off. It then waits for
// the store's background work.
func (p *Pipeline) Stop(grace time.Duration) {
	defer p.cfg.Store.Wait()
	p.mu.Lock()
	if !p.active {
		p.mu.Unlock()
		return
	}
	p.active = false
	p.mu.Unlock()
	p.ahead.Wait()
	p.stop()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		p.kill()
		<-done
	}
	p.kill()
}

// Flush delivers what every destination is owed, all at once, each until
// it succeeds or ctx is done (cron mode), and waits for the store's
// background work. The error names each destination that failed.
func (p *Pipeline) Flush(ctx context.Context) error {
	defer p.cfg.Store.Wait()
	p.mu.Lock()
	var ws []interface{ deliverWithin(context.Context) error }
	var names []string
	for _, name := range p.order {
		for _, w := range p.zones[name].workers {
			ws, names = append(ws, w), append(names, w.name)
		}
	}
	for _, w := range p.vworker {
		ws, names = append(ws, w), append(names, w.name)
	}
	p.mu.Unlock()
	errs := make([]error, len(ws))
	var wg sync.WaitGroup
	for i, w := range ws {
		wg.Go(func() {
			if err := w.deliverWithin(ctx); err != nil {
				errs[i] = namedFor(names[i], err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// namedFor prefixes err with the name of its destination ("provider:cf:
// ..."), unless it begins with that name already, written as a phrase
// ("provider cf: ..."), as the providers' errors do.
func namedFor(name string, err error) error {
	if kind, of, ok := strings.Cut(name, ":"); ok && strings.HasPrefix(err.Error(), kind+" "+of+": ") {
		return err
	}
	return fmt.Errorf("%s: %w", name, err)
}
