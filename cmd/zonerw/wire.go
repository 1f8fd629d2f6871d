package main

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/netip"
	"os"
	"slices"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/cmd/zonerw/seed"
	"github.com/zonerw/zonerw/cmd/zonerw/signer"
	"github.com/zonerw/zonerw/cmd/zonerw/statedir"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/templates"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/publish"
)

// app is everything built from one config: what the passes work on.
type app struct {
	cfg      *config.Config
	services []failover.Service
	targets  map[string]map[string]templates.Target // service -> target -> addresses
	jobs     []failover.Job                         // each service's schedule and checks
	witness  []failover.Check                       // the isolation guard's checks
	zones    []*publish.Zone
	broken   map[string]error // zones left out of zones, by name, and why
	// tsvcs and defaultService are the services as templates see them.
	tsvcs          []templates.Service
	defaultService string
	now            func() time.Time // the zone pipeline's clock; nil: time.Now (tests set it)
}

// build turns a validated config into the pieces of the pipeline. It reads
// and checks every template, so every error the user can fix is found here.
// A zone whose template fails is left out of a.zones (and named in
// a.broken); the error says why, and the rest of a is still usable.
func build(cfg *config.Config) (*app, error) {
	a := buildServices(cfg)
	return a, a.loadZones()
}

// buildServices is build without the templates: the services, their
// probes and the witnesses, all cheap to make. The daemon starts serving
// the stored zones with it before it reads the templates, which for a big
// zone takes seconds.
func buildServices(cfg *config.Config) *app {
	a := &app{cfg: cfg, targets: map[string]map[string]templates.Target{}, broken: map[string]error{}}
	defaultService := ""
	for _, s := range cfg.Services {
		fs := s.Failover()
		ts := templates.Service{Name: s.Name}
		job := failover.Job{Service: s.Name, Spec: s.Every, Timeout: s.Check.Timeout, ConfirmEvery: s.Confirm()}
		a.targets[s.Name] = map[string]templates.Target{}
		for _, t := range s.Targets {
			tt := templates.Target{Name: t.Name, IPv4: addrs(t.IPv4), IPv6: addrs(t.IPv6)}
			ts.Targets = append(ts.Targets, tt)
			a.targets[s.Name][t.Name] = tt
			job.Targets = append(job.Targets, failover.AddrCheck(t.Name, newProber(s.Check, s.Name, t.Name), probeAddrs(s.Check.Addresses, tt.IPv4, tt.IPv6)...))
		}
		a.services = append(a.services, fs)
		a.jobs = append(a.jobs, job)
		a.tsvcs = append(a.tsvcs, ts)
		if s.Default {
			defaultService = s.Name
		}
	}
	a.defaultService = defaultService
	for _, w := range cfg.Witnesses {
		a.witness = append(a.witness, newWitnessCheck(w))
	}
	return a
}

// loadZones reads and parses every zone's template into a.zones; the ones
// that fail go to a.broken, and the error joins theirs.
func (a *app) loadZones() error {
	overrides := map[string]bool{}
	for _, s := range a.cfg.Services {
		if s.FailoverTTL > 0 {
			overrides[s.Name] = true
		}
	}
	var errs []error
	for i, z := range a.cfg.Zones {
		pz, err := buildZone(z, a.cfg.Where("zones", i, "template"), a.tsvcs, a.defaultService, overrides)
		if err == nil {
			err = signer.Attach(pz, z, a.cfg.StateDir)
		}
		if err != nil {
			errs = append(errs, err)
			a.broken[z.Name] = err
			continue
		}
		a.zones = append(a.zones, pz)
	}
	return errors.Join(errs...)
}

// buildZone reads and parses a zone's template. A template without any
// marker is a plain zone: served as written, its serial the operator's.
// where names the template's key in the config, for a file that cannot be
// read.
func buildZone(z config.Zone, where string, svcs []templates.Service, defaultService string, override map[string]bool) (*publish.Zone, error) {
	text, err := os.ReadFile(z.Template)
	if err != nil {
		return nil, fmt.Errorf("%s: zone %s: cannot read the template: %w", where, z.Name, err)
	}
	tmpl, err := templates.Parse(z.Template, text, svcs, defaultService)
	if err != nil {
		return nil, err
	}
	if !tmpl.HasSerial() && len(tmpl.MarkerRecords()) > 0 {
		return nil, fmt.Errorf("%s: address markers but no @serial number@ marker, so a failover could not change the serial: write \"; @serial number@\" after the serial in the SOA", z.Template)
	}
	policy, err := zones.ParseSerialPolicy(z.Serial)
	if err != nil {
		return nil, fmt.Errorf("zone %s: %w", z.Name, err)
	}
	return &publish.Zone{
		Name:        z.Name,
		Template:    tmpl,
		Output:      z.Output,
		Policy:      policy,
		Parse:       zones.ParseOptions{AllowInclude: z.AllowInclude},
		Reload:      publish.Reload{Command: z.Reload.Command, Timeout: z.Reload.Timeout},
		OverrideTTL: override,
	}, nil
}

// zone returns the parsed zone named name, nil if it has none.
func (a *app) zone(name string) *publish.Zone {
	for _, z := range a.zones {
		if z.Name == name {
			return z
		}
	}
	return nil
}

// addrs parses an address the config has already validated.
func addrs(s string) []netip.Addr {
	if s == "" {
		return nil
	}
	return []netip.Addr{netip.MustParseAddr(s)}
}

// active maps each service to the addresses of the targets it serves:
// the active one, a pool's members, or all of them under the all-down
// policy "all".
func (a *app) active(act map[string][]string) map[string]templates.Addrs {
	out := map[string]templates.Addrs{}
	for svc, targets := range act {
		var addrs templates.Addrs
		for _, name := range targets {
			t := a.targets[svc][name]
			addrs.IPv4 = append(addrs.IPv4, t.IPv4...)
			addrs.IPv6 = append(addrs.IPv6, t.IPv6...)
		}
		out[svc] = addrs
	}
	return out
}

// alternatives is what the services would serve after each failover
// that could come next from act, one service at a time (the others as in
// act): a service on each one of its other targets alone; a pool with
// each target that is not in it added, and each one that is taken out
// (members stay in config order, as the engine keeps them). A signed
// zone signs these ahead (publish.Pipeline.Anticipate).
func (a *app) alternatives(act map[string][]string) []publish.Values {
	var out []publish.Values
	add := func(svc string, targets []string) {
		alt := maps.Clone(act)
		alt[svc] = targets
		out = append(out, a.values(alt))
	}
	for _, s := range a.cfg.Services {
		cur := act[s.Name]
		for _, t := range s.Targets {
			if s.Mode != string(failover.ModePool) {
				if len(cur) != 1 || cur[0] != t.Name {
					add(s.Name, []string{t.Name})
				}
				continue
			}
			var next []string
			for _, o := range s.Targets {
				if in := slices.Contains(cur, o.Name); (in && o.Name != t.Name) || (!in && o.Name == t.Name) {
					next = append(next, o.Name)
				}
			}
			if len(next) > 0 {
				add(s.Name, next)
			}
		}
	}
	return out
}

// ttls gives the failover_ttl of every service that is not on its first
// target, for the records rendered from its markers.
func (a *app) ttls(act map[string][]string) map[string]uint32 {
	out := map[string]uint32{}
	for _, s := range a.cfg.Services {
		cur := act[s.Name]
		if s.FailoverTTL > 0 && (len(cur) != 1 || cur[0] != s.Targets[0].Name) {
			out[s.Name] = uint32(s.FailoverTTL / time.Second)
		}
	}
	return out
}

// parsePrefix reads an allow_transfer entry: a CIDR prefix, or a single
// address meaning just that host. The config has validated it.
func parsePrefix(s string) netip.Prefix {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked()
	}
	a := netip.MustParseAddr(s)
	return netip.PrefixFrom(a, a.BitLen())
}

// mustAddrPort reads an ip:port the config has validated.
func mustAddrPort(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// seedFromStored is seed.FromStored over a's services: the state to
// start the engine from when the stored zones are ahead of st.
func seedFromStored(a *app, st *statedir.File, compiled []*publish.Compiled, newer map[string]*zones.Version, now time.Time, log *slog.Logger) (failover.State, bool) {
	return seed.FromStored(seed.Input{Services: a.services, Targets: a.targets, StateDir: a.cfg.StateDir, State: st, Compiled: compiled, Newer: newer}, now, log)
}

// newerThanState is seed.Newer over a's zones.
func newerThanState(a *app, st *statedir.File, stored func(zone string) *zones.Version) map[string]*zones.Version {
	return seed.Newer(a.zones, st, stored)
}

// keysReadOnly makes the signers of a's zones keep the key files as they
// are (check, --dry-run).
func (a *app) keysReadOnly(ro bool) {
	for _, s := range signer.Of(a.zones) {
		s.SetReadOnly(ro)
	}
}
