package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/dnsserver"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/publish"
)

// publish renders every zone for the services' current targets, writes the
// files that have one, hands each version to the nameserver (which sends
// NOTIFY) and saves the state. With force every zone gets a new serial.
// A zone that fails keeps serving its last good version.
func (d *daemon) publish(ctx context.Context, force bool) error {
	zerr := d.publishZones(ctx, force)
	perr := d.syncProviders(ctx, false)
	return errors.Join(zerr, perr)
}

// publishZones is the zone half of publish. Publishes are serialised by
// pubMu; d.mu is held only to read and update fields, never across a
// reload command, so status and metrics scrapes do not wait on one.
func (d *daemon) publishZones(ctx context.Context, force bool) error {
	d.pubMu.Lock()
	defer d.pubMu.Unlock()
	d.mu.Lock()
	a, engine := d.a, d.engine
	d.mu.Unlock()
	act := engine.ActiveTargets()
	now := time.Now()
	var errs []error
	for _, z := range a.zones {
		serial, err := d.publishZone(ctx, a, z, act, force, now)
		if err != nil {
			errs = append(errs, err)
			d.obs.publishFailed(z.Name, err)
		} else {
			d.obs.zonePublished(z.Name, serial)
		}
	}
	d.mu.Lock()
	d.st.Services = engine.State()
	if err := saveState(a.cfg.StateDir, d.st); err != nil {
		errs = append(errs, err)
	}
	d.mu.Unlock()
	err := errors.Join(errs...)
	if err != nil {
		d.log.Error("publish failed; the last good versions keep being served", "err", err)
	}
	return err
}

// publishZone renders one zone, writes its file (if it has one), hands the
// version to the nameserver and runs the reload command. It returns the
// zone's serial now.
func (d *daemon) publishZone(ctx context.Context, a *app, z *publish.Zone, act map[string][]string, force bool, now time.Time) (uint32, error) {
	d.mu.Lock()
	prev := d.st.Zones[z.Name]
	d.mu.Unlock()
	plan, err := publish.MakePlan(z, publish.Input{Active: a.active(act), TTL: a.ttls(act), State: prev, Force: force, Now: now})
	if err != nil {
		return 0, err
	}
	res, err := publish.Apply(ctx, plan, prev, now)
	if err != nil {
		return 0, err
	}
	if d.srv != nil { // without one, the file and reload command are all
		if err := d.srv.Publish(plan.Parsed); err != nil {
			return 0, fmt.Errorf("zone %s: %w", z.Name, err)
		}
	}
	d.mu.Lock()
	d.st.Zones[z.Name] = res.State
	d.mu.Unlock()
	if res.Written {
		d.log.Info("zone version made", "zone", z.Name, "serial", plan.Serial)
	}
	return res.State.Serial, res.Reload
}

// keepBroken deals with the zones whose template is broken at start-up.
// Each keeps serving the version an earlier run stored (without a
// nameserver, the zone file an earlier run wrote stays as it is) until a
// reload brings a fixed template; each is logged and alerted as a failed
// publish.
func (d *daemon) keepBroken(broken map[string]error) {
	for _, name := range slices.Sorted(maps.Keys(broken)) {
		err := broken[name]
		d.obs.publishFailed(name, err)
		if d.srv == nil {
			d.log.Error("zone template broken; the zone file of the last run stays until a reload brings a fixed template", "zone", name, "err", err)
			continue
		}
		serial, serr := d.srv.ServeStored(name)
		if serr != nil {
			d.log.Error("zone template broken and its stored version cannot be served; the zone is not served until a reload brings a fixed template",
				"zone", name, "err", err, "stored", serr)
			continue
		}
		d.log.Error("zone template broken; serving the last good version until a reload brings a fixed template",
			"zone", name, "serial", serial, "err", err)
		// The next version, once the template is fixed, must go above the
		// one served now, even if the state file was lost.
		d.mu.Lock()
		if zs := d.st.Zones[name]; zs.Serial == 0 || zones.SerialLess(zs.Serial, serial) {
			zs.Serial, zs.Digest = serial, ""
			d.st.Zones[name] = zs
		}
		d.mu.Unlock()
	}
}

// reload re-reads the config and templates (SIGHUP, zonerw reload). If
// anything is invalid the daemon keeps running on the old config. Changes
// to what the nameserver itself serves (listeners, keys, zone list and
// transfer settings) need a restart and are refused here.
func (d *daemon) reload(ctx context.Context) (err error) {
	d.reloadMu.Lock() // SIGHUP and zonerw reload may arrive together
	defer d.reloadMu.Unlock()
	taken := false
	defer func() {
		if !taken {
			d.obs.reloaded(nil, err)
		}
	}()
	cfg, err := config.Load(d.cfgPath)
	if err != nil {
		return err
	}
	a, err := build(cfg)
	if err != nil {
		return err
	}
	if why := serverChanged(d.a.cfg, cfg); why != "" {
		return fmt.Errorf("%s changed, which needs a restart of zonerw serve (systemctl restart zonerw)", why)
	}
	providers, err := buildProviders(cfg, d.log)
	if err != nil {
		return err
	}
	providers.observe = d.obs.providerPublished
	d.stopLoop()
	d.mu.Lock()
	d.a = a
	d.engine = failover.NewEngine(a.services, d.engine.State())
	d.mu.Unlock()
	d.provMu.Lock()
	d.mu.Lock()
	d.providers = providers // guarded by both locks: either one suffices to read it
	d.mu.Unlock()
	d.provMu.Unlock()
	taken = true
	d.obs.reloaded(cfg, nil)
	err = d.publish(ctx, false)
	if lerr := d.startLoop(); lerr != nil {
		return errors.Join(err, lerr)
	}
	d.log.Info("config reloaded", "file", d.cfgPath)
	return err
}

// serverChanged names the first nameserver setting that differs.
func serverChanged(old, new *config.Config) string {
	switch {
	case !slices.Equal(old.Server.Listen, new.Server.Listen):
		return "server.listen"
	case dnsLimitsChanged(old.Server, new.Server):
		return "the nameserver's limits under server"
	case !reflect.DeepEqual(old.Keys, new.Keys):
		return "keys"
	case old.StateDir != new.StateDir:
		return "state_dir"
	case len(old.Zones) != len(new.Zones):
		return "the list of zones"
	}
	for i := range old.Zones {
		o, n := old.Zones[i], new.Zones[i]
		if o.Name != n.Name || !slices.Equal(o.AllowTransfer, n.AllowTransfer) ||
			!slices.Equal(o.TransferKeys, n.TransferKeys) || !slices.Equal(o.Secondaries, n.Secondaries) {
			return "zone " + o.Name + "'s name or transfer settings"
		}
	}
	return ""
}

// currentEngine reads the engine pointer, which a reload replaces.
func (d *daemon) currentEngine() *failover.Engine {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.engine
}

// pin holds a service on a target (zonerw pin), records why and publishes.
func (d *daemon) pin(ctx context.Context, service, target string, until time.Time, reason string) error {
	engine := d.currentEngine()
	if err := engine.Pin(service, target, until, reason); err != nil {
		return err
	}
	recorders{d.audit, d.obs}.Record(engine.Pending())
	return d.publish(ctx, false)
}

// unpin hands a service back to its probes (zonerw unpin).
func (d *daemon) unpin(ctx context.Context, service string) error {
	engine := d.currentEngine()
	if err := engine.Unpin(service); err != nil {
		return err
	}
	recorders{d.audit, d.obs}.Record(engine.Pending())
	return d.publish(ctx, false)
}

// status is what `zonerw status` shows.
func (d *daemon) status() statusView {
	d.mu.Lock()
	defer d.mu.Unlock()
	v := statusView{Daemon: true, Services: d.engine.State(), Zones: map[string]zoneStatus{}}
	for _, z := range d.a.cfg.Zones {
		name := z.Name
		zs := zoneStatus{Serial: d.st.Zones[name].Serial}
		if err := d.a.broken[name]; err != nil {
			zs.Error = "template broken: " + err.Error()
		}
		var secs []dnsserver.SecondaryState
		if d.srv != nil {
			secs = d.srv.SecondaryStatus(name)
		}
		for _, s := range secs {
			zs.Secondaries = append(zs.Secondaries, secondaryStatus{
				Address: s.Addr.String(), Serial: s.Serial, Target: s.Target, Acked: s.Acked,
				CatchUp: s.CatchUp.String(), LastError: s.LastError, Notified: s.Notified,
			})
		}
		v.Zones[name] = zs
	}
	for _, p := range d.providers.pubs {
		v.Providers = append(v.Providers, p.Status())
	}
	return v
}

// syncProviders brings every provider up to date with what the services
// serve now (see providerSet.sync). It does not hold d.mu while it talks
// to the APIs, so status and the zones never wait on a rate limit.
func (d *daemon) syncProviders(ctx context.Context, verify bool) error {
	d.provMu.Lock()
	defer d.provMu.Unlock()
	d.mu.Lock()
	want := d.a.wantedAddrs(d.engine.ActiveTargets())
	st := maps.Clone(d.st.Providers)
	d.mu.Unlock()
	err := d.providers.sync(ctx, want, st, verify, d.dryRun, func(s string) { d.log.Info(s) })
	if err != nil {
		d.log.Error("provider publish failed; it is retried", "err", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.st.Providers = st
	return errors.Join(err, saveState(d.a.cfg.StateDir, d.st))
}

// startVerify reads the providers' records back every minute; each
// provider really checks once its verify_every has passed.
func (d *daemon) startVerify() {
	ctx, cancel := context.WithCancel(context.Background())
	d.verify, d.verified = cancel, make(chan struct{})
	go func() {
		defer close(d.verified)
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				d.syncProviders(ctx, false)
			}
		}
	}()
}

func (d *daemon) stopVerify() {
	d.verify()
	<-d.verified
}
