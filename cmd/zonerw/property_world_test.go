package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/auditlog"
	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/cmd/zonerw/statedir"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/publish"
)

// world is one sequence of the property test: a config with two services
// and two zones, the state directory, and zonerw's pieces as the daemon
// and cron mode wire them (newZonePipeline, addFileDestinations,
// seedFromStored, loadStateOrRebuild, recordZones, saveState), driven by
// an injected clock.
type world struct {
	t   *testing.T
	rng *rand.Rand
	dir string
	cfg string
	now time.Time
	log *slog.Logger

	up      map[string]map[string]bool // what each target's probe says
	variant int                        // which static records the templates hold
	broken  bool                       // zone a's template does not compile

	a        *app
	st       *statedir.File
	engine   *failover.Engine
	pipe     *publish.Pipeline
	files    map[string]*publish.FileDestination
	served   map[string]*recordingDest
	compiled map[string]*publish.Compiled // each zone's last good compile

	hist         map[string]*zoneHistory
	switches     map[string][]time.Time // automatic switches, for the flap bound
	maxSwitch    int
	window       time.Duration
	clockSetBack bool
	plain        bool              // rise 1, fall 1, no governor: every flip is a change
	serving      map[string]string // what each service's last decision served
	prevState    []byte            // the state file before the last save
}

// zoneHistory is every serial a zone has published, and what it held.
type zoneHistory struct {
	have   bool
	max    uint32
	serial uint32
	digest string
}

var worldServices = map[string][]string{"web": {"main", "backup", "third"}, "mail": {"mx1", "mx2"}}

// targetAddr gives each target its own addresses.
func targetAddr(svc string, i int) (v4, v6 string) {
	n := 10*len(svc) + i + 1
	return fmt.Sprintf("192.0.2.%d", n), fmt.Sprintf("2001:db8::%d", n)
}

func newWorld(t *testing.T, rng *rand.Rand, dir string, plain bool) *world {
	w := &world{t: t, rng: rng, dir: dir, log: slog.New(slog.DiscardHandler), plain: plain,
		now:  time.Date(2026, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), rng.IntN(24), 0, 0, 0, time.UTC),
		up:   map[string]map[string]bool{},
		hist: map[string]*zoneHistory{"a.example.": {}, "b.example.": {}}, switches: map[string][]time.Time{},
		serving: map[string]string{"web": "main", "mail": "mx1"}}
	for svc, targets := range worldServices {
		w.up[svc] = map[string]bool{}
		for _, tg := range targets {
			w.up[svc][tg] = true
		}
	}
	if plain {
		w.now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	}
	w.writeConfig()
	w.writeTemplates()
	w.start(false)
	return w
}

// writeConfig writes a config with rules picked at random.
func (w *world) writeConfig() {
	var b strings.Builder
	b.WriteString("state_dir: state\nservices:\n")
	if !w.plain && w.rng.IntN(3) == 0 {
		w.maxSwitch, w.window = 2+w.rng.IntN(3), time.Hour
	}
	for _, svc := range []string{"web", "mail"} {
		rise, fall := 1+w.rng.IntN(3), 1+w.rng.IntN(3)
		if w.plain {
			rise, fall = 1, 1
		}
		fmt.Fprintf(&b, "  - name: %s\n    rise: %d\n    fall: %d\n", svc, rise, fall)
		if svc == "web" {
			b.WriteString("    default: true\n")
		}
		if svc == "web" && !w.plain {
			fmt.Fprintf(&b, "    all_down: %s\n", []string{"keep", "first", "all"}[w.rng.IntN(3)])
			if w.rng.IntN(2) == 0 {
				b.WriteString("    failback_delay: 30m\n")
			}
			if w.maxSwitch > 0 {
				fmt.Fprintf(&b, "    max_switches: %d\n    switch_window: 1h\n", w.maxSwitch)
			}
		}
		b.WriteString("    targets:\n")
		for i, tg := range worldServices[svc] {
			v4, v6 := targetAddr(svc, i)
			fmt.Fprintf(&b, "      - {name: %s, ipv4: %s, ipv6: %q}\n", tg, v4, v6)
		}
	}
	serialB := []string{"dateserial", "unixtime", "increment"}[w.rng.IntN(3)]
	if w.plain {
		serialB = "dateserial"
	}
	fmt.Fprintf(&b, `zones:
  - {name: a.example, template: a.tmpl, output: out/a.zone}
  - {name: b.example, template: b.tmpl, output: out/b.zone, serial: %s}
`, serialB)
	w.cfg = filepath.Join(w.dir, "zonerw.yaml")
	w.write(w.cfg, b.String())
}

func (w *world) write(path, text string) {
	w.t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// writeTemplates writes both templates for the current variant; zone a's
// is broken while w.broken is set.
func (w *world) writeTemplates() {
	head := "$TTL 300\n@ IN SOA ns1 hostmaster ( 1 ; @serial number@\n 3600 900 1209600 300 )\n  IN NS ns1\nns1 IN A 192.0.2.53\n"
	extra := fmt.Sprintf("v%d IN TXT \"variant %d\"\n", w.variant, w.variant)
	a := head + "www IN A @IP@\nwww IN AAAA @IPV6:web@\nmail IN A @IP:mail@\n" + extra
	if w.broken {
		a += "bad IN A @IP:nosuch@\n"
	}
	w.write(filepath.Join(w.dir, "a.tmpl"), a)
	w.write(filepath.Join(w.dir, "b.tmpl"), head+"@ IN A @IP:web@\nftp IN A @IP:web@\n"+extra)
}

// build loads the config and templates as zonerw does.
func (w *world) build() {
	w.t.Helper()
	cfg, err := config.Load(w.cfg)
	if err != nil {
		w.t.Fatal(err)
	}
	var berr error
	w.a, berr = build(cfg) // a broken template leaves its zone out, as at start-up
	if berr != nil && !w.broken {
		w.t.Fatalf("build: %v", berr)
	}
	w.a.now = func() time.Time { return w.now }
}

// start is zonerw starting: the state file read (or rebuilt), the stored
// zones and output files read, the templates compiled, the services
// started where the state (or the stored zones) says, and the first
// publish. cron probes first, as cron mode does; otherwise it publishes
// first, as zonerw serve does.
func (w *world) start(cron bool) {
	w.t.Helper()
	w.build()
	w.st = statedir.LoadOrRebuild(w.a.cfg.StateDir, w.log)
	pipe, err := newZonePipeline(w.a, w.st, w.log, nil, false)
	if err != nil {
		w.t.Fatalf("zonerw does not start: %v", err)
	}
	w.pipe = pipe
	w.files = addFileDestinations(pipe, w.a, w.st, publish.Retry{Attempts: 1})
	w.served = map[string]*recordingDest{}
	for _, z := range w.a.cfg.Zones {
		r := &recordingDest{}
		pipe.AddDestination(z.Name, nameserverDest(z.Name), r, time.Second, publish.Retry{Attempts: 1})
		w.served[z.Name] = r
		r.last = pipe.Current(z.Name) // what serveStored hands the nameserver
	}
	compiled, broken := compileAll(w.a)
	w.keepCompiled(compiled)
	services := w.st.Services
	if s, ok := seedFromStored(w.a, w.st, compiled, newerThanState(w.a, w.st, pipe.Current), w.now, w.log); ok {
		services = s
	}
	w.engine = failover.NewEngine(w.a.services, services, failover.WithClock(func() time.Time { return w.now }))
	if cron {
		w.note(w.engine.Apply(w.round()))
	}
	pipe.SetBroken(broken)
	changes, _ := pipe.Apply(compiled, w.values(), false, false)
	for _, c := range changes {
		if c.Err != nil {
			w.t.Fatalf("start: zone %s: %v", c.Zone, c.Err)
		}
	}
	w.flush()
}

func (w *world) keepCompiled(cs []*publish.Compiled) {
	if w.compiled == nil {
		w.compiled = map[string]*publish.Compiled{}
	}
	for _, c := range cs {
		w.compiled[c.Zone.Name] = c
	}
}

func (w *world) values() publish.Values { return w.a.values(w.engine.ActiveTargets()) }

// flush delivers every version to the destinations and saves the state
// file, as zonerw does after each change.
func (w *world) flush() {
	w.t.Helper()
	if err := w.pipe.Flush(context.Background()); err != nil {
		w.t.Fatalf("deliver: %v", err)
	}
	w.save()
}

// round is one probe result per target, as the targets are now.
func (w *world) round() failover.Round {
	r := failover.Round{At: w.now}
	for svc, targets := range w.up {
		for tg, up := range targets {
			r.Observations = append(r.Observations, failover.Observation{Service: svc, Target: tg, OK: up, Reason: "test", At: w.now})
		}
	}
	return r
}

// note records what the engine did in audit.log, as zonerw does before
// it publishes, and keeps the automatic switches for the flap bound.
func (w *world) note(out failover.Outcome) {
	auditlog.New(w.a.cfg.StateDir, w.log).Record(out)
	for _, ev := range out.Events {
		if ev.Kind == failover.EventUnpinned || ev.Kind == failover.EventFlapReleased {
			w.switches[ev.Service] = nil // the governor starts afresh, by design
		}
	}
	for _, d := range out.Decisions {
		serving := strings.Join(d.Serving, ",")
		if w.serving[d.Service] == serving {
			continue // made again after a restart lost it: no change seen outside
		}
		w.serving[d.Service] = serving
		switch d.Kind {
		case failover.DecisionTargetDown, failover.DecisionFailback, failover.DecisionAllDown:
			w.switches[d.Service] = append(w.switches[d.Service], d.At)
		}
	}
}

// save writes the state file as the daemon does, keeping the one before
// (see kill).
func (w *world) save() {
	w.t.Helper()
	w.prevState, _ = os.ReadFile(statedir.Path(w.a.cfg.StateDir))
	w.st.Services = w.engine.State()
	recordZones(w.pipe, w.st, w.files, w.now)
	if err := statedir.Save(w.a.cfg.StateDir, w.st); err != nil {
		w.t.Fatal(err)
	}
}

// kill is zonerw killed after it stored its last change and before the
// state file said so: the state file is the one before.
func (w *world) kill() {
	w.t.Helper()
	path := statedir.Path(w.a.cfg.StateDir)
	if w.prevState == nil {
		os.Remove(path)
		return
	}
	if err := os.WriteFile(path, w.prevState, 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// recordingDest is the nameserver as the pipeline sees it: it holds the
// last version delivered.
type recordingDest struct {
	mu   sync.Mutex
	last *zones.Version
}

func (r *recordingDest) Deliver(_ context.Context, rel *publish.Release) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last = rel.Version
	return nil
}

func (r *recordingDest) holds() *zones.Version {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}
