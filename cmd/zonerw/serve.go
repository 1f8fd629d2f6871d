package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/zonerw/zonerw/cmd/zonerw/auditlog"
	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/cmd/zonerw/drill"
	"github.com/zonerw/zonerw/cmd/zonerw/observe"
	"github.com/zonerw/zonerw/cmd/zonerw/statedir"
	"github.com/zonerw/zonerw/cmd/zonerw/view"
	"github.com/zonerw/zonerw/dnsserver"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/provider/sink"
	"github.com/zonerw/zonerw/zones/publish"
)

// runServe is the daemon: the embedded nameserver, the scheduled probes
// and the admin socket, until SIGTERM or SIGINT.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("zonerw serve", "zonerw serve [-c FILE] [--log-format text|json] [--log-level LEVEL]", stdout, stderr)
	cfgPath := fs.String("c", defaultConfig, "config file")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	dryRun := fs.Bool("dry-run", false, "serve zones, but only log the provider API calls a publish would make")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	log, err := newLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	// Catch SIGHUP before starting: its default action kills the process,
	// and systemctl reload may come while zones are still loading. One that
	// arrives during start-up is handled once the daemon runs.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	d, err := startDaemon(ctx, *cfgPath, log, *dryRun)
	if err != nil {
		log.Error("zonerw serve could not start", "err", err)
		return exitFailure
	}
	for {
		select {
		case <-hup:
			if err := d.reload(false); err != nil {
				log.Error("config reload failed", "err", err)
			}
		case <-ctx.Done():
			if err := d.stop(); err != nil {
				log.Error("shutdown", "err", err)
				return exitFailure
			}
			log.Info("zonerw serve stopped")
			return exitOK
		}
	}
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

// daemon is one running zonerw serve.
type daemon struct {
	cfgPath string
	log     *slog.Logger
	srv     *dnsserver.Server
	unlock  func()
	admin   *adminServer
	dryRun  bool // providers only log what they would do
	obs     *observe.Observer
	pipe    *publish.Pipeline
	files   map[string]*publish.FileDestination
	saver   *statedir.Saver

	reloadMu sync.Mutex // serialises reloads (SIGHUP, zonerw reload, --force)

	mu        sync.Mutex // guards the fields below
	a         *app
	st        *statedir.File
	engine    *failover.Engine
	loop      *failover.Loop // runs engine's probes; nil until started
	audit     *auditlog.Log
	refused   *view.Refusal // the last reload, if it was refused (under mu)
	providers *providerSet
	sinks     []*sink.Sink
	cancel    context.CancelFunc // stops the current failover loop
	done      chan struct{}      // closed when the current loop has returned
	verifier  *sink.Verifier     // the providers' read-back timers
	drills    *drill.Runner      // failover drills
	// dnssecUpkeep moves key rollovers along and re-signs what is due.
	dnssecUpkeep *dnssecMaint
}

// startDaemon loads the config and the stored zones, serves those at once,
// binds the listeners, compiles the templates and publishes, and starts
// the probes. It fails only for what the daemon cannot run without (the
// config, the state lock, the listeners); a destination that fails (a
// provider's API, a zone file's disk) is retried on its own while the
// rest runs. Any error leaves nothing running.
func startDaemon(ctx context.Context, cfgPath string, log *slog.Logger, dryRun bool) (_ *daemon, err error) {
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return nil, err
	}
	// The templates are read once the stored zones are served: a big one
	// takes seconds, and every query meanwhile is answered from what was
	// stored.
	a := buildServices(cfg)
	unlock, err := statedir.Lock(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	var cleanup []func()
	defer func() {
		if err != nil {
			for i := len(cleanup) - 1; i >= 0; i-- {
				cleanup[i]()
			}
			unlock()
		}
	}()
	st := statedir.LoadOrRebuild(cfg.StateDir, log)
	providers, perr := buildProviders(cfg, log)
	if perr != nil {
		// A token that cannot be read stops that provider, not the daemon.
		log.Error("providers left out until the next reload", "err", perr)
	}
	d := &daemon{cfgPath: cfgPath, log: log, unlock: unlock, a: a, st: st, audit: auditlog.New(cfg.StateDir, log),
		providers: providers, dryRun: dryRun, engine: failover.NewEngine(a.services, st.Services)}
	d.obs = observe.New(cfg, prometheus.NewRegistry(), log)
	d.watchProviders(providers)
	cleanup = append(cleanup, d.obs.Close)
	if d.pipe, err = newZonePipeline(a, st, log, d.obs, false); err != nil {
		return nil, err
	}
	if len(cfg.Server.Listen) > 0 {
		if d.srv, err = newDNSServer(cfg, log); err != nil {
			return nil, err
		}
		cleanup = append(cleanup, func() { d.srv.Shutdown(context.Background()) })
		d.srv.HoldNotify() // until the listeners are bound, below
		d.serveStored()
	}
	d.addDestinations()
	d.pipe.Start()
	cleanup = append(cleanup, func() { d.pipe.Stop(time.Second) })
	d.saver = statedir.StartSaver(cfg.StateDir, log)
	cleanup = append(cleanup, d.saver.Stop)
	for _, addr := range cfg.Server.Listen {
		if err := d.srv.ListenAndStart(addr); err != nil {
			return nil, err
		}
		log.Info("listening", "addr", addr)
	}
	if d.srv != nil {
		d.srv.ReleaseNotify()
	}
	if err := d.obs.Start(cfg.Server.HTTP, d.observeSources()); err != nil {
		return nil, err
	}
	// A zone whose template is broken does not stop the daemon: it keeps
	// serving that zone's stored version and runs the rest.
	d.mu.Lock()
	a.loadZones()
	d.mu.Unlock()
	d.firstPublish(ctx)
	d.drills = d.newDrills()
	switch d.admin, err = startAdmin(filepath.Join(cfg.StateDir, adminSocket), d, log); {
	case errors.Is(err, syscall.EROFS):
		// A state directory remounted read-only: serving and failing
		// over matter more than the commands that talk to the daemon.
		log.Error("the admin socket cannot be made on a read-only state directory: zonerw status, reload, pin and drill cannot reach the daemon (SIGHUP still reloads; the status page and metrics still work) until it is restarted with the directory writable",
			"err", err)
		d.admin = nil
	case err != nil:
		return nil, err
	default:
		cleanup = append(cleanup, d.admin.close)
	}
	if err := d.startLoop(); err != nil {
		return nil, err
	}
	d.drills.Start()
	d.startVerify()
	d.dnssecUpkeep = d.startDNSSEC() // dnssecd.go
	d.obs.SetReady()
	return d, nil
}

// serveStored hands the nameserver every zone's stored version before the
// listeners open, so the first query is answered from it while templates
// compile.
func (d *daemon) serveStored() {
	for _, z := range d.a.cfg.Zones {
		if v := d.pipe.Current(z.Name); v != nil {
			if err := d.srv.Publish(v); err != nil {
				d.log.Error("stored version not served", "zone", z.Name, "err", err)
				continue
			}
			d.log.Info("serving the stored version until the template is compiled", "zone", z.Name, "serial", v.Serial())
		}
	}
}

// addDestinations gives every zone its destinations (the nameserver, the
// output file) and the providers theirs, each with its own worker.
func (d *daemon) addDestinations() {
	for _, z := range d.a.cfg.Zones {
		if d.srv != nil {
			d.pipe.AddDestination(z.Name, nameserverDest(z.Name), serverDestination{d.srv}, nameserverTimeout, publish.Retry{Max: 30 * time.Second})
		}
	}
	d.files = addFileDestinations(d.pipe, d.a, d.st, publish.Retry{})
	d.setProviders(d.providers)
}

// setProviders makes ps the providers' destinations.
func (d *daemon) setProviders(ps *providerSet) {
	mode := sink.Daemon
	if d.dryRun {
		mode = sink.DryRun
	}
	d.mu.Lock()
	sinks := ps.sinks(d.st.Providers, mode, func(s string) { d.log.Info(s) })
	d.providers, d.sinks = ps, sinks
	d.mu.Unlock()
	var dests []publish.NamedValueDestination
	for _, s := range sinks {
		dests = append(dests, publish.NamedValueDestination{Name: providerDest(s.Name()), Dest: s, Timeout: providerDeadline})
	}
	d.pipe.SetValueDestinations(dests)
}

// firstPublish asks every secondary its serial (a floor: a lost or
// restored state directory must not make them ignore us), compiles every
// template and publishes. Broken templates are logged and alerted; their
// zones keep the stored version.
func (d *daemon) firstPublish(ctx context.Context) {
	floors := make(chan struct{})
	var newer map[string]*zones.Version
	go func() {
		defer close(floors)
		newer = newerThanState(d.a, d.st, d.pipe.Current)
		d.raiseSerialFloors(ctx)
	}()
	compiled, broken := compileAll(d.a)
	<-floors
	if services, ok := seedFromStored(d.a, d.st, compiled, newer, time.Now(), d.log); ok {
		d.mu.Lock()
		d.engine = failover.NewEngine(d.a.services, services)
		d.mu.Unlock()
	}
	d.keepBroken(broken)
	changes, _ := d.pipe.Apply(compiled, d.currentValues(), false, false)
	d.afterChanges(changes)
	go d.returnMemory()
}

// returnMemory hands the memory a compile used back to the system at once
// (the garbage of parsing a big zone is many times the zone itself, and a
// restart's stored version is garbage once the compiled one is served),
// rather than over the next minutes, so the daemon's RSS is what it
// holds. It first waits, at most a minute, for the zones' destinations to
// take the new versions.
func (d *daemon) returnMemory() {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) && d.pending() {
		time.Sleep(50 * time.Millisecond)
	}
	debug.FreeOSMemory()
}

// pending reports whether a zone's destination has not taken its newest
// version yet.
func (d *daemon) pending() bool {
	zs, _ := d.pipe.Status()
	for _, z := range zs {
		for _, dest := range z.Destinations {
			if dest.Pending {
				return true
			}
		}
	}
	return false
}

// newDNSServer builds the embedded nameserver from the config.
func newDNSServer(cfg *config.Config, log *slog.Logger) (*dnsserver.Server, error) {
	var dc dnsserver.Config
	for _, k := range cfg.Keys {
		key, err := dnsserver.LoadTSIGKeyFile(k.File)
		if err != nil {
			return nil, fmt.Errorf("keys: %s: %w", k.Name, err)
		}
		if key.Name != k.Name && key.Name != k.Name+"." {
			return nil, fmt.Errorf("keys: %s: the file %s holds key %q; use that name", k.Name, k.File, key.Name)
		}
		dc.Keys = append(dc.Keys, key)
	}
	for _, z := range cfg.Zones {
		dc.Zones = append(dc.Zones, dnsZone(z))
	}
	dnsLimits(cfg.Server, &dc)
	return dnsserver.New(dc, log)
}

// raiseSerialFloors asks every secondary its serial. One ahead of what
// zonerw knows (a lost or restored state directory) raises the zone's
// floor, so the next version goes above it and the secondaries take it.
func (d *daemon) raiseSerialFloors(ctx context.Context) {
	if d.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for _, z := range d.a.cfg.Zones {
		wg.Go(func() {
			serials, err := d.srv.QuerySecondarySerials(ctx, z.Name)
			if err != nil {
				d.log.Warn("could not ask every secondary its serial", "zone", z.Name, "err", err)
			}
			for sec, serial := range serials {
				if floor, ok := d.pipe.Floor(z.Name); !ok || zones.SerialLess(floor, serial) {
					d.log.Warn("a secondary is ahead of the known serial; the next version goes above it",
						"zone", z.Name, "secondary", sec, "secondary_serial", serial, "known_serial", floor)
				}
				d.pipe.RaiseFloor(z.Name, serial)
			}
		})
	}
	wg.Wait()
}

// startLoop starts the scheduled probes on the current app and engine.
func (d *daemon) startLoop() error {
	d.mu.Lock()
	a, engine := d.a, d.engine
	d.mu.Unlock()
	loop, err := failover.NewLoop(failover.LoopConfig{
		Engine:    engine,
		Jobs:      d.obs.WrapJobs(a.jobs),
		Witnesses: a.witness,
		Publisher: publisherFunc(func(context.Context, failover.Snapshot) error { d.publishNow(); return nil }),
		Recorder:  recorders{d.audit, d.obs},
		// A count toward a failover is saved as it is made: a kill -9
		// or a crash between publishes must not start it again.
		Progressed: d.saveState,
		Logger:     d.log,
		Coalesce:   a.cfg.Server.Coalesce,
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := loop.Run(ctx); err != nil {
			d.log.Error("failover loop", "err", err)
		}
	}()
	d.mu.Lock()
	d.loop, d.cancel, d.done = loop, cancel, done
	d.mu.Unlock()
	return nil
}

// stopLoop stops the probes and waits for the loop to publish what it had.
func (d *daemon) stopLoop() {
	d.mu.Lock()
	cancel, done := d.cancel, d.done
	d.mu.Unlock()
	cancel()
	<-done
}

// stop is SIGTERM: stop probing, give the destinations a moment to finish
// what they are delivering, close the listeners, save the state.
func (d *daemon) stop() error {
	d.drills.Stop()
	if d.admin != nil {
		d.admin.close()
	}
	d.dnssecUpkeep.stop()
	d.stopVerify()
	d.stopLoop()
	d.pipe.Stop(5 * time.Second)
	var err error
	if d.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = d.srv.Shutdown(ctx)
	}
	d.saveState()
	d.saver.Stop()
	err = errors.Join(err, d.saver.LastErr())
	d.unlock()
	d.obs.Close()
	return err
}

// publisherFunc adapts a function to failover.Publisher.
type publisherFunc func(context.Context, failover.Snapshot) error

func (f publisherFunc) Publish(ctx context.Context, s failover.Snapshot) error { return f(ctx, s) }

var _ failover.Publisher = publisherFunc(nil)

// serverDestination hands versions to the embedded nameserver.
type serverDestination struct{ srv *dnsserver.Server }

func (s serverDestination) Deliver(_ context.Context, r *publish.Release) error {
	return s.srv.Publish(r.Version)
}

var _ publish.Destination = serverDestination{}
