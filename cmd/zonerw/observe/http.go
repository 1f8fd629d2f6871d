// The observer's HTTP side: the admin listener with /metrics, health,
// readiness and the status page.

package observe

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/zonerw/zonerw/cmd/zonerw/statuspage"
	"github.com/zonerw/zonerw/cmd/zonerw/view"
	"github.com/zonerw/zonerw/failover"
)

// listen binds addr and serves h on it until close.
func (o *Observer) listen(addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("server.http %s: %w", addr, err)
	}
	o.httpAddr = ln.Addr()
	o.httpSrv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(o.log.Handler(), slog.LevelWarn)}
	o.wg.Go(func() {
		if err := o.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			o.log.Error("admin HTTP listener", "addr", addr, "err", err)
		}
	})
	o.log.Info("admin HTTP listening", "addr", ln.Addr().String())
	return nil
}

// handler serves /metrics, /healthz, /readyz, the status page at / and
// its data at /status.json.
func (o *Observer) handler(src Sources) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(o.reg, promhttp.HandlerOpts{Registry: o.reg}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if !o.ready.Load() {
			http.Error(w, "starting: zones not loaded or listeners not bound yet", http.StatusServiceUnavailable)
			return
		}
		if missing := unserved(src.Status()); len(missing) > 0 {
			http.Error(w, "not ready: "+strings.Join(missing, "; "), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	page := func() statuspage.Data { return o.pageData(src) }
	mux.Handle("GET /{$}", statuspage.Handler(page))
	mux.Handle("GET /status.json", statuspage.JSONHandler(page))
	return mux
}

// unserved lists the zones that have no version to serve (serial 0: the
// template never compiled and nothing was stored), which the nameserver
// answers SERVFAIL for, each with why.
func unserved(v view.Status) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(v.Zones)) {
		if z := v.Zones[name]; z.Serial == 0 {
			why := "zone " + name + " has no version to serve"
			if z.Error != "" {
				why += " (" + z.Error + ")"
			}
			out = append(out, why)
		}
	}
	return out
}

// SetReady turns /readyz to 200 once the listeners are bound and the
// zones loaded; a zone with no version to serve keeps it at 503.
func (o *Observer) SetReady() {
	if o != nil {
		o.ready.Store(true)
	}
}

// auditTail is how many audit log entries the status page shows.
const auditTail = 20

// pageData gathers what the status page shows.
func (o *Observer) pageData(src Sources) statuspage.Data {
	v := src.Status()
	o.mu.Lock()
	cfg := o.cfg
	o.mu.Unlock()
	now := o.now()
	d := statuspage.Data{Host: o.host, Generated: now, Providers: statuspage.ProvidersFrom(v.Providers)}
	var order []failover.Service
	for _, s := range cfg.Services {
		order = append(order, s.Failover())
	}
	d.Services = statuspage.ServicesFrom(order, v.Services)
	if r := v.ReloadRefused; r != nil {
		d.Problems = append(d.Problems, "reload refused "+d.Ago(r.At)+", still running on the config before it: "+r.Error)
	}
	for _, z := range cfg.Zones {
		pz := statuspage.Zone{Name: z.Name, Serial: v.Zones[z.Name].Serial}
		if src.Secondaries != nil {
			pz.Secondaries = statuspage.SecondariesFrom(src.Secondaries(z.Name), now)
		}
		d.Zones = append(d.Zones, pz)
		if e := v.Zones[z.Name].Error; e != "" {
			d.Problems = append(d.Problems, "zone "+z.Name+": "+e)
		}
		for _, dest := range v.Zones[z.Name].Destinations {
			if dest.LastError != "" {
				d.Problems = append(d.Problems, "zone "+z.Name+": "+view.DestinationFailing(dest, now))
			}
		}
	}
	for _, dest := range v.ProviderDestinations {
		if dest.LastError != "" {
			d.Problems = append(d.Problems, view.DestinationFailing(dest, now))
		}
	}
	for _, p := range d.Providers {
		for _, dr := range p.Drift {
			d.Problems = append(d.Problems, "provider "+p.Name+": changed outside zonerw "+d.Ago(dr.Since)+": "+dr.Text)
		}
	}
	evs, err := statuspage.ReadAudit(filepath.Join(cfg.StateDir, "audit.log"), auditTail)
	if err != nil {
		d.Problems = append(d.Problems, err.Error())
	}
	d.Events = evs
	return d
}
