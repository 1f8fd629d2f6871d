package observe

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/zonerw/zonerw/cmd/zonerw/alert"
	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/cmd/zonerw/metrics"
	"github.com/zonerw/zonerw/cmd/zonerw/view"
	"github.com/zonerw/zonerw/dnsserver"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/probe"
	"github.com/zonerw/zonerw/zones/provider"
	"github.com/zonerw/zonerw/zones/publish"
)

// Observer is what zonerw serve shows the outside: Prometheus metrics,
// alerts, /healthz and /readyz, and the status page, all on the admin
// HTTP listener (server.http). Its hook methods are safe on a nil
// *Observer, so code paths without one need no checks.
type Observer struct {
	cfg  *config.Config
	reg  *prometheus.Registry
	m    *metrics.Metrics
	log  *slog.Logger
	now  func() time.Time
	host string

	ready atomic.Bool

	mu      sync.Mutex // guards the fields below
	alerts  *alert.Dispatcher
	retired []*alert.Dispatcher // replaced by a reload, finishing their queues
	sinks   config.Alerts
	// throttle holds repeats of alerts that could otherwise come again
	// and again (a publish failing every round, spell after spell of
	// isolation) to one an hour.
	throttle alert.Throttle
	watch    alert.SecondaryWatch
	// failing counts each destination's failed deliveries in a row, so
	// that the log says when one starts failing and when it recovers
	// rather than once per retry.
	failing map[string]int

	ctx      context.Context // cancelled by close: stops the watch and retired dispatchers
	cancel   context.CancelFunc
	wg       sync.WaitGroup // the HTTP server, the secondary watch, retired dispatchers
	httpSrv  *http.Server
	httpAddr net.Addr
}

// Sources is what the observer reads at scrape and page time.
// Secondaries and DNS are nil when there is no embedded nameserver.
type Sources struct {
	Status      func() view.Status
	Secondaries func(zone string) []dnsserver.SecondaryState
	DNS         func() dnsserver.Stats
}

// secondaryWatchEvery is how often secondaries are checked for alerts.
const secondaryWatchEvery = 15 * time.Second

// New creates the metrics on reg and starts the alert workers.
func New(cfg *config.Config, reg *prometheus.Registry, log *slog.Logger) *Observer {
	host, _ := os.Hostname()
	o := &Observer{cfg: cfg, reg: reg, log: log, now: time.Now, host: host, throttle: alert.Throttle{Window: alertRepeatEvery}}
	o.ctx, o.cancel = context.WithCancel(context.Background())
	o.m = metrics.New(reg, "")
	o.m.Loaded(o.now())
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	o.alerts, o.sinks = o.newDispatcher(cfg.Alerts), cfg.Alerts
	return o
}

// newDispatcher starts alert workers for the configured sinks.
func (o *Observer) newDispatcher(a config.Alerts) *alert.Dispatcher {
	return alert.New(alert.Options{Sinks: alertSinks(a), Count: o.m.Alert, Log: o.log})
}

// Start registers the scrape-time collectors, starts the secondary watch
// and, when addr is set, serves handler on it. Call it once.
func (o *Observer) Start(addr string, src Sources) error {
	zones := make([]string, 0, len(o.cfg.Zones))
	for _, z := range o.cfg.Zones {
		zones = append(zones, z.Name)
	}
	cs := []prometheus.Collector{
		metrics.NewStateCollector(func() failover.State { return src.Status().Services }),
		metrics.NewProviderCollector(func() []provider.Status { return src.Status().Providers }, o.now),
		metrics.NewSignatureCollector(func() map[string]time.Time {
			m := map[string]time.Time{}
			for name, z := range src.Status().Zones {
				m[name] = z.SignaturesExpire
			}
			return m
		}),
	}
	if src.DNS != nil {
		cs = append(cs, metrics.NewDNSCollector(src.DNS), metrics.NewSecondaryCollector(zones, src.Secondaries, o.now))
	}
	for _, c := range cs {
		if err := o.reg.Register(c); err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
	}
	if src.Secondaries != nil {
		o.wg.Go(func() { o.watchSecondaries(o.ctx, zones, src.Secondaries) })
	}
	if addr == "" {
		return nil
	}
	return o.listen(addr, o.handler(src))
}

// Close stops the listener, gives queued alerts ten seconds to go out,
// then stops everything else it started and waits for it.
func (o *Observer) Close() {
	if o == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if o.httpSrv != nil {
		o.httpSrv.Shutdown(ctx)
	}
	o.mu.Lock()
	ds := append([]*alert.Dispatcher{o.alerts}, o.retired...)
	o.mu.Unlock()
	for _, d := range ds {
		d.Close(ctx)
	}
	o.cancel()
	o.wg.Wait()
}

// Send hands ev to the alert workers unless it repeats one sent within
// the hour; it never blocks.
func (o *Observer) Send(ev alert.Event) {
	o.mu.Lock()
	d := o.alerts
	ok := o.throttle.Allow(ev, o.now())
	o.mu.Unlock()
	if ok {
		d.Send(ev)
	}
}

// WrapJobs returns jobs whose checks also count their results and latency.
func (o *Observer) WrapJobs(jobs []failover.Job) []failover.Job {
	if o == nil {
		return jobs
	}
	out := make([]failover.Job, len(jobs))
	for i, j := range jobs {
		out[i] = j
		out[i].Targets = make([]failover.Check, len(j.Targets))
		for k, c := range j.Targets {
			run := c.Run
			out[i].Targets[k] = failover.Check{Name: c.Name, Run: func(ctx context.Context) probe.Result {
				res := run(ctx)
				o.m.Probe(j.Service, c.Name, res.OK, res.Latency)
				return res
			}}
		}
	}
	return out
}

// Record implements failover.Recorder: switches and events become
// metrics, and the ones an operator must hear about become alerts.
func (o *Observer) Record(out failover.Outcome) {
	if o == nil {
		return
	}
	o.m.Record(out)
	for _, ev := range alert.FromOutcome(out) {
		o.Send(ev)
	}
}

var _ failover.Recorder = (*Observer)(nil)

// ZonePublished records a version of zone handed to the nameserver (or
// written for an external one).
func (o *Observer) ZonePublished(zone string, serial uint32) {
	if o == nil {
		return
	}
	o.m.ZonePublished(zone, serial)
	o.Recovered(alert.Event{Kind: alert.PublishFailing, Zone: zone})
}

// ZoneNotStored records a version of zone that is served but could not
// be stored: the serial it serves, and a failed publish (alerted like
// one), since a restart would not know the version.
func (o *Observer) ZoneNotStored(zone string, serial uint32, err error) {
	if o == nil {
		return
	}
	o.m.ZoneServing(zone, serial)
	o.PublishFailed(zone, err)
}

// PublishFailed records a failed publish of zone; the first failure of a
// run of them raises an alert (and a reminder each hour it goes on).
func (o *Observer) PublishFailed(zone string, err error) {
	if o == nil {
		return
	}
	o.m.ZonePublishFailed(zone)
	o.Send(alert.Event{Kind: alert.PublishFailing, Zone: zone, Reason: err.Error(), At: o.now()})
}

// Delivered records one attempt to deliver to a destination. A zone's
// destination (its nameserver, its file) that starts failing raises an
// alert naming it; providers alert through ProviderPublished. It implements publish.Observer.
func (o *Observer) Delivered(dest string, err error) {
	if o == nil {
		return
	}
	o.m.Delivered(dest, err == nil)
	o.logDelivery(dest, err)
	kind, of, _ := strings.Cut(dest, ":") // "nameserver:example.com", "file:...", "provider:cf"
	if kind == "provider" {
		return
	}
	ev := alert.Event{Kind: alert.PublishFailing, Zone: of, Destination: kind}
	if err == nil {
		o.Recovered(ev)
		return
	}
	ev.Reason, ev.At = err.Error(), o.now()
	o.Send(ev)
}

// logDelivery logs a destination's first failure in a row (ERROR, with
// the reason) and its recovery (INFO, with the failures in between);
// the retries in between are only counted (status, metrics, the alert).
func (o *Observer) logDelivery(dest string, err error) {
	o.mu.Lock()
	if o.failing == nil {
		o.failing = map[string]int{}
	}
	n := o.failing[dest]
	if err == nil {
		delete(o.failing, dest)
	} else {
		o.failing[dest] = n + 1
	}
	o.mu.Unlock()
	switch {
	case err != nil && n == 0:
		o.log.Error("delivery failing; retrying with backoff (zonerw status shows the next attempt)", "destination", dest, "err", err)
	case err == nil && n > 0:
		o.log.Info("delivery recovered", "destination", dest, "failed_attempts", n)
	}
}

// ProviderPublished records one publish to (or read-back from) a
// provider's API; the first failure of a run of them raises an alert.
func (o *Observer) ProviderPublished(name string, err error) {
	if o == nil {
		return
	}
	o.m.ProviderPublished(name, err == nil)
	if err == nil {
		o.Recovered(alert.Event{Kind: alert.PublishFailing, Provider: name})
		return
	}
	o.Send(alert.Event{Kind: alert.PublishFailing, Provider: name, Reason: err.Error(), At: o.now()})
}

// Recovered ends a run of failures: the next one alerts at once.
func (o *Observer) Recovered(ev alert.Event) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.throttle.Clear(ev)
}

// Reloaded records a config reload. A failed one raises an alert; a good
// one (cfg is the new config) takes the new service list for the page and
// new alert sinks, letting the old ones finish what they had queued.
func (o *Observer) Reloaded(cfg *config.Config, err error) {
	if o == nil {
		return
	}
	o.m.Reloaded(err == nil, o.now())
	if err != nil {
		o.Send(alert.Event{Kind: alert.ReloadFailed, Reason: err.Error(), At: o.now()})
		return
	}
	if cfg == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.cfg = cfg
	if reflect.DeepEqual(cfg.Alerts, o.sinks) {
		return
	}
	old := o.alerts
	o.retired = append(o.retired, old)
	o.alerts, o.sinks = o.newDispatcher(cfg.Alerts), cfg.Alerts
	o.wg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		old.Close(ctx) // close, if sooner, cuts it to its own deadline
	})
}

// watchSecondaries checks the secondaries for alerts until ctx is done.
func (o *Observer) watchSecondaries(ctx context.Context, zones []string, secondaries func(string) []dnsserver.SecondaryState) {
	t := time.NewTicker(secondaryWatchEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			o.checkSecondaries(zones, secondaries)
		}
	}
}

// checkSecondaries raises the alerts the secondaries call for now.
func (o *Observer) checkSecondaries(zones []string, secondaries func(string) []dnsserver.SecondaryState) {
	now := o.now()
	for _, z := range zones {
		secs := secondaries(z)
		o.mu.Lock()
		evs := o.watch.Check(z, secs, now)
		o.mu.Unlock()
		for _, ev := range evs {
			o.log.Warn("secondary alert", "zone", ev.Zone, "secondary", ev.Secondary, "kind", string(ev.Kind), "reason", ev.Reason)
			o.Send(ev)
		}
	}
}

var _ publish.Observer = (*Observer)(nil)
