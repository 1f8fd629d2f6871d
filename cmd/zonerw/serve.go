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
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/dnsserver"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones"
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
			if err := d.reload(ctx); err != nil {
				log.Error("config reload failed; still running on the previous config", "err", err)
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
	obs     *observer

	provMu    sync.Mutex // serialises provider syncs (they may wait on rate limits)
	providers *providerSet
	verify    context.CancelFunc // stops the periodic provider read-back
	verified  chan struct{}

	reloadMu sync.Mutex // serialises reloads (SIGHUP and zonerw reload)

	pubMu sync.Mutex // serialises zone publishes

	mu     sync.Mutex // guards the fields below
	a      *app
	st     *stateFile
	engine *failover.Engine
	loop   *failover.Loop // runs engine's probes; nil until started
	audit  *auditLog
	cancel context.CancelFunc // stops the current failover loop
	done   chan struct{}      // closed when the current loop has returned
}

// startDaemon loads the config, binds the listeners, publishes every zone
// and starts the probes. Any error leaves nothing running.
func startDaemon(ctx context.Context, cfgPath string, log *slog.Logger, dryRun bool) (_ *daemon, err error) {
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return nil, err
	}
	// A zone whose template is broken does not stop the daemon: it keeps
	// serving that zone's last good version (keepBroken) and runs the rest.
	a, _ := build(cfg)
	unlock, err := lockState(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			unlock()
		}
	}()
	st, err := loadState(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	providers, err := buildProviders(cfg, log)
	if err != nil {
		return nil, err
	}
	// Without server.listen the daemon only writes zone files (for an
	// external NSD or BIND) and pushes to providers.
	var srv *dnsserver.Server
	if len(cfg.Server.Listen) > 0 {
		if srv, err = newDNSServer(cfg, log); err != nil {
			return nil, err
		}
	}
	obs := newObserver(cfg, prometheus.NewRegistry(), log)
	providers.observe = obs.providerPublished
	defer func() {
		if err != nil {
			obs.close()
		}
	}()
	// The engine exists before the admin listener starts: the status page
	// and /metrics read it from the first request on.
	d := &daemon{cfgPath: cfgPath, log: log, srv: srv, unlock: unlock, a: a, st: st, audit: newAuditLog(cfg.StateDir, log),
		providers: providers, dryRun: dryRun, obs: obs, engine: failover.NewEngine(a.services, st.Services)}
	defer func() {
		if err != nil && srv != nil {
			srv.Shutdown(context.Background())
		}
	}()
	for _, addr := range cfg.Server.Listen {
		if err := srv.ListenAndStart(addr); err != nil {
			return nil, err
		}
		log.Info("listening", "addr", addr)
	}
	if err := obs.start(cfg.Server.HTTP, d.observeSources()); err != nil {
		return nil, err
	}
	if srv != nil {
		d.raiseSerialFloors(ctx)
	}
	d.keepBroken(a.broken)
	if err := d.publish(ctx, false); err != nil {
		return nil, err
	}
	if d.admin, err = startAdmin(filepath.Join(cfg.StateDir, adminSocket), d, log); err != nil {
		return nil, err
	}
	if err := d.startLoop(); err != nil {
		d.admin.close()
		return nil, err
	}
	d.startVerify()
	obs.setReady()
	return d, nil
}

// newDNSServer builds the embedded nameserver from the config.
func newDNSServer(cfg *config.Config, log *slog.Logger) (*dnsserver.Server, error) {
	dc := dnsserver.Config{JournalDir: filepath.Join(cfg.StateDir, "journal")}
	if err := os.MkdirAll(dc.JournalDir, 0o755); err != nil {
		return nil, fmt.Errorf("journal directory: %w", err)
	}
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

// raiseSerialFloors asks every secondary its serial. If one is ahead of
// the remembered serial (a lost or restored state directory), the next
// version must be above it, or the secondaries would ignore us.
func (d *daemon) raiseSerialFloors(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for _, z := range d.a.cfg.Zones { // broken zones too: a reload may fix them
		serials, err := d.srv.QuerySecondarySerials(ctx, z.Name)
		if err != nil {
			d.log.Warn("could not ask every secondary its serial", "zone", z.Name, "err", err)
		}
		d.mu.Lock() // the status page may be reading
		zs := d.st.Zones[z.Name]
		for sec, serial := range serials {
			if zs.Serial == 0 || zones.SerialLess(zs.Serial, serial) {
				d.log.Warn("a secondary is ahead of the remembered serial; the next version goes above it",
					"zone", z.Name, "secondary", sec, "secondary_serial", serial, "state_serial", zs.Serial)
				zs.Serial, zs.Digest = serial, "" // an empty digest forces a new version
			}
		}
		d.st.Zones[z.Name] = zs
		d.mu.Unlock()
	}
}

// startLoop starts the scheduled probes on the current app and engine.
func (d *daemon) startLoop() error {
	loop, err := failover.NewLoop(failover.LoopConfig{
		Engine:    d.engine,
		Jobs:      d.obs.wrapJobs(d.a.jobs),
		Witnesses: d.a.witness,
		Publisher: publisherFunc(func(ctx context.Context, s failover.Snapshot) error { return d.publish(ctx, false) }),
		Recorder:  recorders{d.audit, d.obs},
		Logger:    d.log,
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
	d.cancel, d.done = cancel, done
	d.mu.Lock()
	d.loop = loop
	d.mu.Unlock()
	return nil
}

// stopLoop stops the probes and waits for the loop to publish what it had.
func (d *daemon) stopLoop() {
	d.cancel()
	<-d.done
}

// stop is SIGTERM: finish the publish in progress, stop probing, close the
// listeners, save the state.
func (d *daemon) stop() error {
	d.admin.close()
	d.stopVerify()
	d.stopLoop()
	var err error
	if d.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = d.srv.Shutdown(ctx)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.st.Services = d.engine.State()
	err = errors.Join(err, saveState(d.a.cfg.StateDir, d.st))
	d.unlock()
	d.obs.close()
	return err
}

// publisherFunc adapts a function to failover.Publisher.
type publisherFunc func(context.Context, failover.Snapshot) error

func (f publisherFunc) Publish(ctx context.Context, s failover.Snapshot) error { return f(ctx, s) }

var _ failover.Publisher = publisherFunc(nil)
