package main

import (
	"context"
	"io"
	"net/url"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/cmd/zonerw/statedir"
	"github.com/zonerw/zonerw/cmd/zonerw/view"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones/provider"
)

// runExplain is `zonerw explain SERVICE [--json]`: why the service is
// where it is and what could move it next. It asks the running daemon,
// which knows the probe schedule; without one it works from the state
// file of the last cron run and counts probe rounds instead of times.
func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("zonerw explain", "zonerw explain [-c FILE] [--json] SERVICE", stdout, stderr)
	cfgPath := fs.String("c", defaultConfig, "config file")
	asJSON := fs.Bool("json", false, "print JSON")
	code, rest, ok := parseWithArgs(fs, args, stdout, 1)
	if !ok {
		return code
	}
	service := rest[0]
	return show(ctx, *cfgPath, "/explain/"+url.PathEscape(service), *asJSON, stdout, stderr,
		func(cfg *config.Config) (view.Explain, error) { return explainFromFile(cfg, service, time.Now()) },
		func(w io.Writer, _ *config.Config, v view.Explain) { view.PrintExplain(w, v, time.Now()) }, nil)
}

// explainFromFile explains a service from the saved state. A broken zone
// template does not matter here: only the services are needed.
func explainFromFile(cfg *config.Config, service string, now time.Time) (view.Explain, error) {
	a, _ := build(cfg)
	st, err := statedir.Load(cfg.StateDir)
	if err != nil {
		return view.Explain{}, err
	}
	x, err := failover.NewEngine(a.services, st.Services).Explain(service, now, nil)
	return view.Explain{Explanation: x, Providers: view.ProviderRecords(cfg, service, view.ProviderStatuses(cfg, st.Providers))}, err
}

// explain answers GET /explain/{service} with the daemon's engine and the
// service's probe schedule.
func (d *daemon) explain(service string) (view.Explain, error) {
	d.mu.Lock()
	engine, loop, cfg, providers := d.engine, d.loop, d.a.cfg, d.providers
	d.mu.Unlock()
	var sched failover.Schedule
	if loop != nil {
		sched = loop.Schedule(service)
	}
	x, err := engine.ExplainSchedule(service, time.Now(), sched)
	var sts []provider.Status
	for _, p := range providers.pubs {
		sts = append(sts, p.Status())
	}
	zs, _ := d.pipe.Status()
	return view.Explain{Daemon: true, Explanation: x, Providers: view.ProviderRecords(cfg, service, sts), Held: view.HeldZones(zs)}, err
}
