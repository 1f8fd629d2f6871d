package drill

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/dnsserver"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones/publish"
)

// Daemon is what a drill needs of the running daemon. Every function is
// called with no lock of the Runner held.
type Daemon struct {
	// Engine is the current engine (a reload replaces it).
	Engine func() *failover.Engine
	// Record hands an outcome to the audit log and the observer.
	Record func(failover.Outcome)
	// Publish makes every zone's next version for what the services
	// serve now and hands it to the destinations; it returns once the
	// versions are made and stored, and says what changed (which the
	// daemon has logged, counted and saved by then).
	Publish func() []publish.Change
	// Status is the pipeline's status: the zones' destinations, and the
	// value destinations (the providers).
	Status func() ([]publish.ZoneStatus, []publish.DestinationStatus)
	// Secondaries is the nameserver's view of a zone's secondaries; nil
	// when there is no embedded nameserver.
	Secondaries func(zone string) []dnsserver.SecondaryState
	// ProviderDests names the value destinations of the providers whose
	// records carry service.
	ProviderDests func(service string) []string
	// Services are the configured services, for their drill schedules.
	Services func() []config.Service
	// Save queues the state for writing.
	Save func()
	Log  *slog.Logger
}

// Runner runs the daemon's drills. It refuses drills until Start and
// after Stop.
type Runner struct {
	d Daemon

	mu      sync.Mutex
	ctx     context.Context // done at shutdown; nil before the start
	cancel  context.CancelFunc
	running map[string]failover.Pin // service -> the drill in progress
	wg      sync.WaitGroup          // the scheduler and every drill
}

// New makes the daemon's Runner.
func New(d Daemon) *Runner { return &Runner{d: d} }

// holdPoll is how often a drill looks whether a real failure, an
// operator or a reload ended it early.
const holdPoll = 100 * time.Millisecond

// Start lets drills run and starts the scheduled ones.
func (r *Runner) Start() {
	r.mu.Lock()
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.running = map[string]failover.Pin{}
	ctx := r.ctx
	r.mu.Unlock()
	r.wg.Go(func() { schedule(ctx, r.d.Services, r.scheduled) })
}

// Stop ends the drills in progress (each hands its service back and
// files its report) and the scheduler, and waits for them.
func (r *Runner) Stop() {
	r.mu.Lock()
	cancel := r.cancel
	r.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	r.wg.Wait()
}

// Drill starts a drill of service for dur and returns its pin once the
// names have moved (the new versions are made and stored); the drill goes
// on without the caller. The engine refuses one that cannot run now.
func (r *Runner) Drill(service string, dur time.Duration) (failover.Pin, error) {
	if dur <= 0 {
		return failover.Pin{}, fmt.Errorf("drill %s: --for must be positive, not %s", service, dur)
	}
	r.mu.Lock()
	switch {
	case r.ctx == nil || r.ctx.Err() != nil:
		r.mu.Unlock()
		return failover.Pin{}, fmt.Errorf("drill %s: zonerw serve is starting or stopping", service)
	case r.running[service].Drill:
		r.mu.Unlock()
		return failover.Pin{}, fmt.Errorf("drill %s: %w: one runs already", service, failover.ErrNoDrill)
	}
	engine := r.d.Engine()
	pin, err := engine.StartDrill(service, dur)
	if err != nil {
		r.mu.Unlock()
		return pin, err
	}
	r.running[service] = pin
	ctx := r.ctx
	r.mu.Unlock()
	r.d.Record(engine.Pending())
	r.d.Log.Info("failover drill started", "service", service, "from", pin.From, "to", pin.Target, "until", pin.Until)
	changes := r.d.Publish()
	dests := r.dests(service, changes, pin.Since)
	r.wg.Go(func() { r.run(ctx, service, pin, dests) })
	return pin, nil
}

// run sees a drill through once its names have moved.
func (r *Runner) run(ctx context.Context, service string, pin failover.Pin, dests []dest) {
	defer func() {
		r.mu.Lock()
		delete(r.running, service)
		r.mu.Unlock()
	}()
	there := waitFollow(ctx, dests, pin.Since, pin.Until)
	r.hold(ctx, service, pin)
	engine := r.d.Engine()
	end, ended := engine.EndDrill(service, pin.Since)
	r.d.Record(engine.Pending())
	endAt := time.Now()
	changes := r.d.Publish()
	rep := run{service: service, pin: pin, end: end, ended: ended, endAt: endAt, stopped: ctx.Err() != nil}
	rep.add(dests, there, true)
	if ended && !end.Aborted && !rep.stopped {
		back := r.dests(service, changes, endAt)
		rep.add(back, waitFollow(ctx, back, endAt, endAt.Add(max(pin.Until.Sub(pin.Since), 30*time.Second))), false)
	}
	report := rep.report()
	engine = r.d.Engine()
	engine.FinishDrill(report)
	r.d.Record(engine.Pending())
	r.d.Log.Info("failover drill finished", "service", service, "result", string(report.Result), "reason", report.Reason)
	r.d.Save()
}

// hold returns when the drill's time is up, when something else ended it
// (a real failure, an operator, a reload that dropped the service), or
// when ctx is done.
func (r *Runner) hold(ctx context.Context, service string, pin failover.Pin) {
	end := time.NewTimer(time.Until(pin.Until))
	defer end.Stop()
	poll := time.NewTicker(holdPoll)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-end.C:
			return
		case <-poll.C:
			if p, ok := r.d.Engine().Drill(service); !ok || !p.Since.Equal(pin.Since) {
				return
			}
		}
	}
}

// errNoSuchService is the answer for a service the daemon does not run.
var errNoSuchService = errors.New("no such service")

// View is the answer to POST /drill and GET /drill/{service}.
type View struct {
	Service string `json:"service"`
	// Running is set while a drill of the service is in progress; Pin is
	// its pin.
	Running bool          `json:"running"`
	Pin     *failover.Pin `json:"pin,omitempty"`
	// Last is the report of the last drill that finished.
	Last *failover.DrillReport `json:"last,omitempty"`
}

// View says whether a drill of service runs and how the last went.
func (r *Runner) View(service string) (View, error) {
	st := r.d.Engine().State()[service]
	if st == nil {
		return View{}, fmt.Errorf("drill %s: %w", service, errNoSuchService)
	}
	v := View{Service: service, Last: st.LastDrill}
	r.mu.Lock()
	if p, ok := r.running[service]; ok {
		v.Running, v.Pin = true, &p
	}
	r.mu.Unlock()
	return v, nil
}
