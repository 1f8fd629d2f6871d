package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/cmd/zonerw/signer"
	"github.com/zonerw/zonerw/zones/dnssec"
)

// dnssecTick is how often the daemon moves key rollovers along and looks
// for signatures due for refresh. Both are cheap until something is due.
const dnssecTick = time.Minute

// dnssecMaint runs the daemon's DNSSEC upkeep: rollover steps, then
// re-signing what is due, every dnssecTick.
type dnssecMaint struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// startDNSSEC starts the upkeep; stop it with stop.
func (d *daemon) startDNSSEC() *dnssecMaint {
	ctx, cancel := context.WithCancel(context.Background())
	m := &dnssecMaint{cancel: cancel}
	m.wg.Go(func() {
		t := time.NewTicker(dnssecTick)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				d.dnssecRound(ctx, time.Now())
			}
		}
	})
	return m
}

func (m *dnssecMaint) stop() {
	if m != nil {
		m.cancel()
		m.wg.Wait()
	}
}

// dnssecRound advances every signed zone's keys and re-signs the zones
// that are due (a rollover step, or signatures to refresh).
func (d *daemon) dnssecRound(ctx context.Context, now time.Time) {
	if changes := signer.Upkeep(ctx, signer.Of(d.app().zones), d.pipe, d.log, now); len(changes) > 0 {
		for _, c := range changes {
			if c.Err == nil {
				d.log.Info("zone signed again", "zone", c.Zone, "serial", c.Serial)
			}
		}
		d.afterChanges(changes)
	}
}

// app is the daemon's current app.
func (d *daemon) app() *app {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.a
}

// signerOf is the signer of zone (canonical or not), or an error.
func (d *daemon) signerOf(zone string) (*dnssec.Signer, error) {
	for _, s := range signer.Of(d.app().zones) {
		if s.Zone() == dns.CanonicalName(zone) {
			return s.Open()
		}
	}
	return nil, fmt.Errorf("zone %s is not signed (dnssec.enabled) in the running config", zone)
}

// dnssecRoutes adds the control API's DNSSEC commands.
func (d *daemon) dnssecRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /dnssec/rollover/{zone}", func(w http.ResponseWriter, r *http.Request) {
		answer(w, d.keyCommand(r.PathValue("zone"), func(k *dnssec.Keeper, now time.Time) (dnssec.Step, error) {
			return k.StartRollover(now)
		}), nil)
	})
	mux.HandleFunc("POST /dnssec/submitted/{zone}", func(w http.ResponseWriter, r *http.Request) {
		ttl, _ := time.ParseDuration(r.URL.Query().Get("ttl"))
		answer(w, d.keyCommand(r.PathValue("zone"), func(k *dnssec.Keeper, now time.Time) (dnssec.Step, error) {
			return k.Submitted(now, ttl)
		}), nil)
	})
}

// keyCommand applies fn to the zone's keys, then signs the zone anew.
func (d *daemon) keyCommand(zone string, fn func(*dnssec.Keeper, time.Time) (dnssec.Step, error)) error {
	sg, err := d.signerOf(zone)
	if err != nil {
		return err
	}
	step, err := fn(sg.Keeper(), time.Now())
	if err != nil {
		return err
	}
	d.log.Info("dnssec key rollover", "zone", step.Zone, "step", step.What)
	d.afterChanges(d.pipe.Resign(time.Now()))
	return nil
}
