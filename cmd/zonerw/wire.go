package main

import (
	"errors"
	"fmt"
	"net/netip"
	"os"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/probe"
	"github.com/zonerw/zonerw/templates"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/publish"
)

// app is everything built from one config: what the passes work on.
type app struct {
	cfg      *config.Config
	services []failover.Service
	targets  map[string]map[string]templates.Target // service -> target -> addresses
	probers  map[string]probe.Prober                // service -> its check
	zones    []*publish.Zone
}

// build turns a validated config into the pieces of the pipeline. It reads
// and checks every template, so every error the user can fix is found here.
func build(cfg *config.Config) (*app, error) {
	a := &app{cfg: cfg, targets: map[string]map[string]templates.Target{}, probers: map[string]probe.Prober{}}
	var tsvcs []templates.Service
	defaultService := ""
	for _, s := range cfg.Services {
		fs := failover.Service{Name: s.Name, Rise: s.Rise, Fall: s.Fall}
		ts := templates.Service{Name: s.Name}
		a.targets[s.Name] = map[string]templates.Target{}
		for _, t := range s.Targets {
			tt := templates.Target{Name: t.Name, IPv4: addrs(t.IPv4), IPv6: addrs(t.IPv6)}
			fs.Targets = append(fs.Targets, t.Name)
			ts.Targets = append(ts.Targets, tt)
			a.targets[s.Name][t.Name] = tt
		}
		a.services = append(a.services, fs)
		tsvcs = append(tsvcs, ts)
		a.probers[s.Name] = newProber(s.Check)
		if s.Default {
			defaultService = s.Name
		}
	}
	var errs []error
	for _, z := range cfg.Zones {
		pz, err := buildZone(z, tsvcs, defaultService)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		a.zones = append(a.zones, pz)
	}
	return a, errors.Join(errs...)
}

func buildZone(z config.Zone, svcs []templates.Service, defaultService string) (*publish.Zone, error) {
	text, err := os.ReadFile(z.Template)
	if err != nil {
		return nil, fmt.Errorf("zone %s: read template: %w", z.Name, err)
	}
	tmpl, err := templates.Parse(z.Template, text, svcs, defaultService)
	if err != nil {
		return nil, err
	}
	if !tmpl.HasSerial() {
		return nil, fmt.Errorf("%s: no @serial number@ marker, so the serial could never change: write \"; @serial number@\" after the serial in the SOA", z.Template)
	}
	policy, err := zones.ParseSerialPolicy(z.Serial)
	if err != nil {
		return nil, fmt.Errorf("zone %s: %w", z.Name, err)
	}
	return &publish.Zone{
		Name:     z.Name,
		Template: tmpl,
		Output:   z.Output,
		Policy:   policy,
		Parse:    zones.ParseOptions{AllowInclude: z.AllowInclude},
		Reload:   publish.Reload{Command: z.Reload.Command, Timeout: z.Reload.Timeout},
	}, nil
}

func newProber(c config.Check) probe.Prober {
	if c.Type == "tcp" {
		return &probe.TCP{Port: uint16(c.Port)}
	}
	return &probe.HTTP{
		URL:                c.URL,
		Host:               c.Host,
		ExpectStatus:       c.ExpectStatus,
		BodyContains:       c.BodyContains,
		InsecureSkipVerify: c.InsecureSkipVerify,
	}
}

// addrs parses an address the config has already validated.
func addrs(s string) []netip.Addr {
	if s == "" {
		return nil
	}
	return []netip.Addr{netip.MustParseAddr(s)}
}

// active maps each service to the addresses of its active target.
func (a *app) active(act map[string]string) map[string]templates.Addrs {
	out := map[string]templates.Addrs{}
	for svc, target := range act {
		t := a.targets[svc][target]
		out[svc] = templates.Addrs{IPv4: t.IPv4, IPv6: t.IPv6}
	}
	return out
}
