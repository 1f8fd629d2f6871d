package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/cmd/zonerw/drill"
	"github.com/zonerw/zonerw/cmd/zonerw/statedir"
	"github.com/zonerw/zonerw/cmd/zonerw/view"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones/provider/sink"
	"github.com/zonerw/zonerw/zones/publish"
)

// currentValues is what the services serve now.
func (d *daemon) currentValues() publish.Values {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.a.values(d.engine.ActiveTargets())
}

// publishNow makes every zone's next version for what the services serve
// now and hands it, and the addresses, to the destinations' workers. It
// returns once the versions are made and stored; the destinations deliver
// on their own. Probe rounds, pins and unpins all come through here.
func (d *daemon) publishNow() {
	d.afterChanges(d.pipe.Publish(d.currentValues()))
}

// afterChanges logs, counts and alerts what a publish did, and saves the
// state.
func (d *daemon) afterChanges(changes []publish.Change) {
	for _, c := range changes {
		switch {
		case errors.Is(c.Err, publish.ErrNotStored):
			// Served all the same; the pipeline stores it again until the
			// disk takes it ("zone version stored after all").
			d.log.Error("zone version made and served but not stored; it is tried again, and a restart before then serves the last stored one", "zone", c.Zone, "serial", c.Serial, "err", c.Err)
			d.obs.ZoneNotStored(c.Zone, c.Serial, c.Err)
		case c.Err != nil:
			d.log.Error("zone version not made; the last good one keeps being served", "zone", c.Zone, "err", c.Err)
			d.obs.PublishFailed(c.Zone, c.Err)
		case c.Changed:
			d.log.Info("zone version made", "zone", c.Zone, "serial", c.Serial)
			d.obs.ZonePublished(c.Zone, c.Serial)
		default:
			d.obs.ZonePublished(c.Zone, c.Serial)
		}
	}
	d.saveState()
	d.pipe.Anticipate(d.alternatives())
}

// alternatives is app.alternatives for the targets active now.
func (d *daemon) alternatives() []publish.Values {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.engine == nil {
		return nil
	}
	return d.a.alternatives(d.engine.ActiveTargets())
}

// keepBroken logs and alerts the zones whose templates do not compile.
// Each keeps serving what it serves (its stored version at start-up; a
// zone with nothing stored is answered SERVFAIL) until a reload brings a
// fixed template.
func (d *daemon) keepBroken(broken map[string]error) {
	d.pipe.SetBroken(broken)
	for _, z := range d.a.cfg.Zones {
		err := broken[z.Name]
		if err == nil {
			continue
		}
		d.obs.PublishFailed(z.Name, err)
		if v := d.pipe.Current(z.Name); v != nil {
			d.log.Error("zone template broken; serving the last good version until a reload brings a fixed template",
				"zone", z.Name, "serial", v.Serial(), "err", err)
			continue
		}
		d.log.Error("zone template broken and no version of it is stored; the zone is answered SERVFAIL until a reload brings a fixed template",
			"zone", z.Name, "err", err)
	}
}

// reload re-reads the config and templates (SIGHUP, zonerw reload; with
// force, zonerw --force: every zone gets a new serial). It applies whole
// or not at all: every file is read and every template compiled, and
// every zone's next version made, before anything changes; on any error
// the daemon runs on exactly as before and the error says why. Changes to
// what the nameserver itself serves (listeners, keys, the zone list and
// transfer settings) need a restart and are refused.
func (d *daemon) reload(force bool) (err error) {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	defer func() {
		d.obs.Reloaded(nil, err)
		d.mu.Lock()
		defer d.mu.Unlock()
		d.refused = nil
		if err != nil {
			d.refused = &view.Refusal{At: time.Now(), Error: err.Error()}
		}
	}()
	cfg, err := config.Load(d.cfgPath)
	if err != nil {
		return notApplied(err)
	}
	a, err := build(cfg)
	if err != nil {
		return notApplied(err)
	}
	d.mu.Lock()
	old := d.a.cfg
	d.mu.Unlock()
	if why := config.RestartNeeded(old, cfg); why != "" {
		return notApplied(fmt.Errorf("%s changed, which needs a restart of zonerw serve (systemctl restart zonerw)", why))
	}
	providers, err := buildProviders(cfg, d.log)
	if err != nil {
		return notApplied(err)
	}
	d.watchProviders(providers)
	compiled, broken := compileAll(a)
	if err := joinBroken(a, broken); err != nil {
		return notApplied(err)
	}
	d.stopLoop()
	// The state once the old loop is stopped: no count it made is lost.
	d.mu.Lock()
	state := d.engine.State()
	d.mu.Unlock()
	engine := failover.NewEngine(a.services, state)
	changes, err := d.pipe.Apply(compiled, a.values(engine.ActiveTargets()), force, true)
	if err != nil {
		return errors.Join(notApplied(err), d.startLoop()) // the old loop, on the old engine
	}
	d.mu.Lock()
	d.a, d.engine = a, engine
	d.mu.Unlock()
	d.pipe.SetBroken(map[string]error{})
	d.setProviders(providers)
	d.obs.Reloaded(cfg, nil)
	d.afterChanges(changes)
	if err := d.startLoop(); err != nil {
		return fmt.Errorf("the new config is applied, but its probes could not start: %w", err)
	}
	d.restartVerify()
	go d.returnMemory()
	d.log.Info("config reloaded", "file", d.cfgPath, "force", force)
	return nil
}

// notApplied says of a reload's error that nothing of the new config
// was applied, for the log, zonerw reload and --force alike.
func notApplied(err error) error {
	return fmt.Errorf("nothing of the new config applied, still running on the previous one: %w", err)
}

// config is the daemon's current config, which a reload replaces.
func (d *daemon) config() *config.Config {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.a.cfg
}

// newDrills makes the runner of the daemon's failover drills.
func (d *daemon) newDrills() *drill.Runner {
	dd := drill.Daemon{
		Engine: d.currentEngine,
		Record: func(o failover.Outcome) { recorders{d.audit, d.obs}.Record(o) },
		Publish: func() []publish.Change {
			changes := d.pipe.Publish(d.currentValues())
			d.afterChanges(changes)
			return changes
		},
		Status: d.pipe.Status,
		ProviderDests: func(service string) []string {
			var out []string
			for _, p := range d.config().Providers {
				if slices.ContainsFunc(p.Records, func(r config.ProviderRecord) bool { return r.Service == service }) {
					out = append(out, providerDest(p.Name))
				}
			}
			return out
		},
		Services: func() []config.Service { return d.config().Services },
		Save:     d.saveState,
		Log:      d.log,
	}
	if d.srv != nil {
		dd.Secondaries = d.srv.SecondaryStatus
	}
	return drill.New(dd)
}

// currentEngine reads the engine pointer, which a reload replaces.
func (d *daemon) currentEngine() *failover.Engine {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.engine
}

// pin holds a service on a target (zonerw pin), records why and
// publishes. It returns once the new versions are made and stored and the
// state file holds the pin; their delivery goes on without the caller (a
// client that goes away does not stop it).
func (d *daemon) pin(service, target string, until time.Time, reason string) error {
	engine := d.currentEngine()
	if err := engine.Pin(service, target, until, reason); err != nil {
		return err
	}
	recorders{d.audit, d.obs}.Record(engine.Pending())
	d.publishNow()
	return d.stateSaved("pin")
}

// stateSaved waits for the state file to hold what was just done (a pin,
// an unpin) before the operator is told it is done: a restart then
// remembers it.
func (d *daemon) stateSaved(what string) error {
	if err := d.saver.Flush(); err != nil {
		return fmt.Errorf("the %s is in force, but the state file could not be written, so a restart would forget it: %w", what, err)
	}
	return nil
}

// unpin hands a service back to its probes (zonerw unpin).
func (d *daemon) unpin(service string) error {
	engine := d.currentEngine()
	if err := engine.Unpin(service); err != nil {
		return err
	}
	recorders{d.audit, d.obs}.Record(engine.Pending())
	d.publishNow()
	return d.stateSaved("unpin")
}

// status is what `zonerw status` shows.
func (d *daemon) status() view.Status {
	zs, vs := d.pipe.Status()
	d.mu.Lock()
	defer d.mu.Unlock()
	v := view.Status{Daemon: true, Services: d.engine.State(), Zones: map[string]view.Zone{}, Held: view.HeldZones(zs), ReloadRefused: d.refused}
	for _, z := range zs {
		s := view.Zone{Serial: z.Serial, Error: view.ZoneError(z), Destinations: view.Destinations(z.Destinations), SignaturesExpire: z.SignaturesExpire}
		if d.srv != nil {
			s.Secondaries = view.Secondaries(d.srv.SecondaryStatus(z.Name))
		}
		v.Zones[z.Name] = s
	}
	v.ProviderDestinations = view.Destinations(vs)
	retry := map[string]time.Time{}
	for _, ds := range vs {
		retry[ds.Name] = ds.RetryAt
	}
	for i, p := range d.providers.pubs {
		ps := p.Status()
		ps.NextAttempt = retry[providerDest(d.providers.cfgs[i].Name)]
		v.Providers = append(v.Providers, ps)
	}
	return v
}

// startVerify starts the providers' read-back timers (sink.Verifier).
func (d *daemon) startVerify() {
	d.mu.Lock()
	sinks := d.sinks
	d.mu.Unlock()
	v := sink.StartVerifier(sinks, providerDeadline, d.log, d.saveState)
	d.mu.Lock()
	d.verifier = v
	d.mu.Unlock()
}

func (d *daemon) stopVerify() {
	d.mu.Lock()
	v := d.verifier
	d.mu.Unlock()
	v.Stop()
}

func (d *daemon) restartVerify() {
	d.stopVerify()
	d.startVerify()
}

// saveState queues the daemon's state for writing: the services, the
// zones' serials (and reload debts), the providers'.
func (d *daemon) saveState() {
	d.mu.Lock()
	st := d.st
	st.Services = d.engine.State()
	recordZones(d.pipe, st, d.files, time.Now())
	for _, s := range d.sinks {
		if ps, ok := s.TrySnapshot(); ok {
			st.Providers[s.Name()] = ps
		}
	}
	st.Version = statedir.Version
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		d.mu.Unlock()
		d.log.Error("cannot encode the state", "err", err)
		return
	}
	// Offered under the lock: two saves offer in the order they read the
	// state, so an older one is never written last.
	d.saver.Offer(append(data, '\n'))
	d.mu.Unlock()
}
