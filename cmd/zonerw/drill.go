package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/failover"
)

// drillRunner runs the daemon's failover drills, those asked for with
// zonerw drill and those the config schedules: it moves the service to
// its next target through the engine, publishes, watches every
// destination follow, hands the service back when the drill's time is up
// (or at once when a real failure ends it, or at shutdown), watches them
// follow back, and files the report. Its zero value refuses drills until
// startDrills.
type drillRunner struct {
	mu      sync.Mutex
	ctx     context.Context // done at shutdown; nil before the start
	cancel  context.CancelFunc
	running map[string]failover.Pin // service -> the drill in progress
	wg      sync.WaitGroup          // the scheduler and every drill
}

// drillHoldPoll is how often a drill looks whether a real failure, an
// operator or a reload ended it early.
const drillHoldPoll = 100 * time.Millisecond

// startDrills lets drills run and starts the scheduled ones.
func (d *daemon) startDrills() {
	r := &d.drills
	r.mu.Lock()
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.running = map[string]failover.Pin{}
	r.mu.Unlock()
	r.wg.Go(func() { d.scheduleDrills(r.ctx) })
}

// stop ends the drills in progress (each hands its service back and
// files its report) and the scheduler, and waits for them.
func (r *drillRunner) stop() {
	r.mu.Lock()
	cancel := r.cancel
	r.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	r.wg.Wait()
}

// config is the daemon's current config, which a reload replaces.
func (d *daemon) config() *config.Config {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.a.cfg
}

// drill starts a drill of service for dur and returns its pin once the
// names have moved (the new versions are made and stored); the drill goes
// on without the caller. The engine refuses one that cannot run now.
func (d *daemon) drill(service string, dur time.Duration) (failover.Pin, error) {
	r := &d.drills
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
	engine := d.currentEngine()
	pin, err := engine.StartDrill(service, dur)
	if err != nil {
		r.mu.Unlock()
		return pin, err
	}
	r.running[service] = pin
	ctx := r.ctx
	r.mu.Unlock()
	recorders{d.audit, d.obs}.Record(engine.Pending())
	d.log.Info("failover drill started", "service", service, "from", pin.From, "to", pin.Target, "until", pin.Until)
	changes := d.pipe.Publish(d.currentValues())
	d.afterChanges(changes)
	dests := d.drillDests(service, changes, pin.Since)
	r.wg.Go(func() { d.runDrill(ctx, service, pin, dests) })
	return pin, nil
}

// runDrill sees a drill through once its names have moved.
func (d *daemon) runDrill(ctx context.Context, service string, pin failover.Pin, dests []drillDest) {
	r := &d.drills
	defer func() {
		r.mu.Lock()
		delete(r.running, service)
		r.mu.Unlock()
	}()
	there := waitFollow(ctx, dests, pin.Since, pin.Until)
	d.holdDrill(ctx, service, pin)
	engine := d.currentEngine()
	end, ended := engine.EndDrill(service, pin.Since)
	recorders{d.audit, d.obs}.Record(engine.Pending())
	endAt := time.Now()
	changes := d.pipe.Publish(d.currentValues())
	d.afterChanges(changes)
	rep := drillRun{service: service, pin: pin, end: end, ended: ended, endAt: endAt, stopped: ctx.Err() != nil}
	rep.add(dests, there, true)
	if ended && !end.Aborted && !rep.stopped {
		back := d.drillDests(service, changes, endAt)
		rep.add(back, waitFollow(ctx, back, endAt, endAt.Add(max(pin.Until.Sub(pin.Since), 30*time.Second))), false)
	}
	report := rep.report()
	engine = d.currentEngine()
	engine.FinishDrill(report)
	recorders{d.audit, d.obs}.Record(engine.Pending())
	d.log.Info("failover drill finished", "service", service, "result", string(report.Result), "reason", report.Reason)
	d.saveState()
}

// holdDrill returns when the drill's time is up, when something else
// ended it (a real failure, an operator, a reload that dropped the
// service), or when ctx is done.
func (d *daemon) holdDrill(ctx context.Context, service string, pin failover.Pin) {
	end := time.NewTimer(time.Until(pin.Until))
	defer end.Stop()
	poll := time.NewTicker(drillHoldPoll)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-end.C:
			return
		case <-poll.C:
			if p, ok := d.currentEngine().Drill(service); !ok || !p.Since.Equal(pin.Since) {
				return
			}
		}
	}
}

// errNoSuchDrill is the answer for a service the daemon does not run.
var errNoSuchDrill = errors.New("no such service")

// drillView is the answer to POST /drill and GET /drill/{service}.
type drillView struct {
	Service string `json:"service"`
	// Running is set while a drill of the service is in progress; Pin is
	// its pin.
	Running bool          `json:"running"`
	Pin     *failover.Pin `json:"pin,omitempty"`
	// Last is the report of the last drill that finished.
	Last *failover.DrillReport `json:"last,omitempty"`
}

// drillView says whether a drill of service runs and how the last went.
func (d *daemon) drillView(service string) (drillView, error) {
	st := d.currentEngine().State()[service]
	if st == nil {
		return drillView{}, fmt.Errorf("drill %s: %w", service, errNoSuchDrill)
	}
	v := drillView{Service: service, Last: st.LastDrill}
	d.drills.mu.Lock()
	if p, ok := d.drills.running[service]; ok {
		v.Running, v.Pin = true, &p
	}
	d.drills.mu.Unlock()
	return v, nil
}
