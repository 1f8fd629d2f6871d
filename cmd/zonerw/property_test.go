package main

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/seed"
	"github.com/zonerw/zonerw/cmd/zonerw/statedir"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/store"
)

// The property test: thousands of random sequences of probe results,
// restarts (clean, killed, with the state file, the store or the output
// files lost or damaged), forced runs, pins, template edits (good and
// broken) and clock moves (forward, a day on, set back), each step
// followed by a check of DESIGN's invariants:
//
//  1. no zone's serial goes backwards (RFC 1982), over every serial it
//     published, across restarts, lost files and a clock set back;
//  2. the serial changes only with the content, or on --force (or after
//     a restart that lost both the state file and the store: then nothing
//     remembers the content, and a bump is the safe side);
//  3. what is stored, what the output file holds and what the nameserver
//     was given are the current version, whole;
//  4. a broken template never replaces the good zone;
//  5. the flap governor bounds the automatic switches per window;
//  8. zonerw always starts, and every zone has a version from the first
//     moment; the zone holds what the services' active targets say.
//
// ZONERW_PROPERTY_SEQUENCES and ZONERW_PROPERTY_SEED change how many
// sequences run and which.

const (
	defaultSequences = 2000
	stepsPerSequence = 25
)

func TestPropertyDurableStateInvariants(t *testing.T) {
	n := defaultSequences
	if raceBuild || testing.Short() {
		n /= 10
	}
	if s := os.Getenv("ZONERW_PROPERTY_SEQUENCES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	seed := uint64(20261202)
	if s := os.Getenv("ZONERW_PROPERTY_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	root := scratchDir(t)
	start := time.Now()
	steps := 0
	for i := range n {
		dir := filepath.Join(root, strconv.Itoa(i))
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		ok := t.Run(fmt.Sprintf("seq%d", i), func(t *testing.T) {
			w := newWorld(t, rng, dir, false)
			w.check("start", checkOpts{})
			for s := range stepsPerSequence {
				what, opts := w.step()
				if os.Getenv("ZONERW_PROPERTY_TRACE") != "" {
					t.Logf("step %d: %s; active %v; switches %v", s, what, w.engine.ActiveTargets(), w.switches)
				}
				w.check(fmt.Sprintf("step %d: %s", s, what), opts)
				steps++
			}
		})
		os.RemoveAll(dir)
		if !ok {
			t.Fatalf("sequence %d failed; run it alone with ZONERW_PROPERTY_SEED=%d and -run 'TestPropertyDurableStateInvariants/seq%d$'", i, seed, i)
		}
	}
	t.Logf("%d sequences, %d steps, in %s", n, steps, time.Since(start).Round(time.Millisecond))
}

// 150 changes in one day, with restarts and kills among them: the date
// serial runs past its 99th change of the day into the next date's
// numbers, and never back.
func TestPropertyManyChangesInOneDay(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	w := newWorld(t, rng, filepath.Join(scratchDir(t), "day"), true) // on 2026-06-01
	w.check("start", checkOpts{})
	first := w.pipe.Current("a.example").Serial()
	for i := range 150 {
		w.up["web"]["main"] = !w.up["web"]["main"]
		w.now = w.now.Add(time.Minute)
		out := w.engine.Apply(w.round())
		w.note(out)
		w.pipe.Publish(w.values())
		w.flush()
		w.check(fmt.Sprintf("flip %d", i), checkOpts{})
		if i%25 == 24 {
			what, opts := w.restart()
			w.check(fmt.Sprintf("flip %d, %s", i, what), opts)
		}
	}
	last := w.pipe.Current("a.example").Serial()
	if last-first < 150 || last < 2026060200 {
		t.Fatalf("after 150 changes on 2026-06-01 the serial went from %d to %d; want at least 150 steps, into 20260602xx", first, last)
	}
}

// scratchDir is a directory on tmpfs when there is one: the test checks
// logic, not the disk, and fsync there costs nothing.
func scratchDir(t *testing.T) string {
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "zonerw-property-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return t.TempDir()
}

// checkOpts says what a step allows.
type checkOpts struct {
	force   bool // serials move without a content change
	amnesia bool // state file and store both lost: a bump is allowed
}

// step does one random thing and says what.
func (w *world) step() (string, checkOpts) {
	switch r := w.rng.IntN(100); {
	case r < 48:
		return w.probeRound(), checkOpts{}
	case r < 61:
		return w.moveClock(), checkOpts{}
	case r < 69:
		return w.pin(), checkOpts{}
	case r < 73:
		return w.unpin(), checkOpts{}
	case r < 78:
		return w.reload(true), checkOpts{force: true}
	case r < 85:
		return w.editTemplate(), checkOpts{}
	default:
		return w.restart()
	}
}

func (w *world) probeRound() string {
	var flips []string
	for _, svc := range []string{"web", "mail"} { // a fixed order: the sequence follows its seed
		for _, tg := range worldServices[svc] {
			if w.rng.IntN(10) < 3 {
				w.up[svc][tg] = !w.up[svc][tg]
				flips = append(flips, fmt.Sprintf("%s/%s %v", svc, tg, w.up[svc][tg]))
			}
		}
	}
	w.now = w.now.Add(time.Duration(1+w.rng.IntN(60)) * time.Second)
	out := w.engine.Apply(w.round())
	w.note(out)
	if len(out.Decisions) > 0 {
		w.pipe.Publish(w.values())
		w.flush()
	}
	return fmt.Sprintf("probe round (%s), %d decisions", strings.Join(flips, ", "), len(out.Decisions))
}

func (w *world) moveClock() string {
	var d time.Duration
	switch r := w.rng.IntN(10); {
	case r < 6:
		d = time.Duration(1+w.rng.IntN(7200)) * time.Second
	case r < 8:
		d = time.Duration(24+w.rng.IntN(48)) * time.Hour
	default:
		d = -time.Duration(1+w.rng.IntN(72)) * time.Hour // the clock set back
		w.clockSetBack = true
	}
	w.now = w.now.Add(d)
	return fmt.Sprintf("clock moved %s", d)
}

func (w *world) pin() string {
	svc := []string{"web", "mail"}[w.rng.IntN(2)]
	tg := worldServices[svc][w.rng.IntN(len(worldServices[svc]))]
	var until time.Time
	if w.rng.IntN(2) == 0 {
		until = w.now.Add(time.Duration(10+w.rng.IntN(170)) * time.Minute)
	}
	if err := w.engine.Pin(svc, tg, until, "test"); err != nil {
		w.t.Fatalf("pin: %v", err)
	}
	w.note(w.engine.Pending())
	w.pipe.Publish(w.values())
	w.flush()
	return fmt.Sprintf("pin %s to %s until %s", svc, tg, until)
}

func (w *world) unpin() string {
	svc := []string{"web", "mail"}[w.rng.IntN(2)]
	if err := w.engine.Unpin(svc); err != nil {
		return "unpin " + svc + ": " + err.Error()
	}
	w.note(w.engine.Pending())
	w.pipe.Publish(w.values())
	w.flush()
	return "unpin " + svc
}

// reload is SIGHUP (force: --force): the templates compiled again and
// applied whole or not at all.
func (w *world) reload(force bool) string {
	old := w.a
	w.build()
	compiled, broken := compileAll(w.a)
	if err := joinBroken(w.a, broken); err != nil {
		w.a = old // refused: the daemon runs on as before
		return fmt.Sprintf("reload (force %v) refused: %v", force, err)
	}
	if _, err := w.pipe.Apply(compiled, w.values(), force, true); err != nil {
		w.t.Fatalf("reload: %v", err)
	}
	w.keepCompiled(compiled)
	w.pipe.SetBroken(map[string]error{})
	w.flush()
	return fmt.Sprintf("reload (force %v)", force)
}

// editTemplate changes the static records, or breaks zone a's template,
// or mends it, and reloads.
func (w *world) editTemplate() string {
	if w.broken || w.rng.IntN(4) > 0 {
		w.broken = false
		w.variant++
	} else {
		w.broken = true
	}
	w.writeTemplates()
	return fmt.Sprintf("template edited (variant %d, broken %v), %s", w.variant, w.broken, w.reload(false))
}

// restart stops zonerw (cleanly, or killed: the state file not written),
// maybe loses or damages files, and starts it again as the daemon or as
// cron mode.
func (w *world) restart() (string, checkOpts) {
	clean := w.rng.IntN(2) == 0
	if clean {
		w.save()
	} else {
		w.kill()
	}
	what := []string{"restart"}
	if !clean {
		what[0] = "kill and restart"
	}
	var opts checkOpts
	if w.rng.IntN(10) < 4 {
		damage, amnesia := w.damage(clean)
		what, opts.amnesia = append(what, damage), amnesia
	}
	cron := w.rng.IntN(2) == 0
	if cron {
		what = append(what, "as cron mode")
	}
	w.start(cron)
	return strings.Join(what, ", "), opts
}

// damage loses or damages one or two of the state file, the store and
// the output files, never all the copies of the newest serial, and
// neither the store nor the output files while a template is broken (then
// nothing could render the zone again). It reports whether nothing
// remembers the zone's current content: the store lost, and the state
// file lost too or stale (clean is false: the kill kept it from being
// written).
func (w *world) damage(clean bool) (string, bool) {
	stateFile := filepath.Join(w.a.cfg.StateDir, "state.json")
	journal := statedir.JournalDir(w.a.cfg.StateDir)
	outputs := []string{filepath.Join(w.dir, "out", "a.zone"), filepath.Join(w.dir, "out", "b.zone")}
	kinds := []string{"state deleted", "state empty", "state garbage", "state truncated", "state from another version"}
	if !w.broken {
		kinds = append(kinds, "outputs deleted", "store deleted", "state and store deleted")
	}
	if !w.broken && clean {
		// Killed, the state file is older than the last version: with the
		// store and the outputs gone, no copy of its serial survives.
		kinds = append(kinds, "store and outputs deleted")
	}
	kind := kinds[w.rng.IntN(len(kinds))]
	switch kind {
	case "state deleted":
		os.Remove(stateFile)
	case "state empty":
		os.WriteFile(stateFile, nil, 0o600)
	case "state garbage":
		os.WriteFile(stateFile, []byte("\x00\x01garbage{"), 0o600)
	case "state truncated":
		if data, err := os.ReadFile(stateFile); err == nil && len(data) > 2 {
			os.WriteFile(stateFile, data[:w.rng.IntN(len(data)-1)+1], 0o600)
		}
	case "state from another version":
		os.WriteFile(stateFile, []byte(`{"version": 99}`), 0o600)
	case "outputs deleted":
		for _, o := range outputs {
			os.Remove(o)
		}
	case "store deleted":
		os.RemoveAll(journal)
	case "state and store deleted":
		os.Remove(stateFile)
		os.RemoveAll(journal)
	case "store and outputs deleted":
		os.RemoveAll(journal)
		for _, o := range outputs {
			os.Remove(o)
		}
	}
	storeLost := strings.Contains(kind, "store")
	return kind, storeLost && (!clean || kind == "state and store deleted")
}

// check verifies every invariant after a step.
func (w *world) check(step string, opts checkOpts) {
	w.t.Helper()
	fail := func(format string, args ...any) {
		w.t.Helper()
		w.t.Fatalf("%s: %s", step, fmt.Sprintf(format, args...))
	}
	reader := store.OpenReadOnly(statedir.JournalDir(w.a.cfg.StateDir), slog.New(slog.DiscardHandler))
	for _, z := range w.a.cfg.Zones {
		name := z.Name
		cur := w.pipe.Current(name)
		if cur == nil {
			fail("zone %s has no version", name) // invariant 8
		}
		h := w.hist[cur.Origin()]
		serial, digest := cur.Serial(), cur.Digest()
		if h.have {
			if zones.SerialLess(serial, h.max) {
				fail("zone %s: serial %d is below %d, published before", name, serial, h.max) // 1
			}
			if digest != h.digest && serial == h.serial {
				fail("zone %s: the content changed but the serial %d did not", name, serial) // 2
			}
			if digest == h.digest && serial != h.serial && !opts.force && !opts.amnesia {
				fail("zone %s: serial %d -> %d with the same content", name, h.serial, serial) // 2
			}
		}
		if !h.have || zones.SerialLess(h.max, serial) {
			h.max = serial
		}
		h.have, h.serial, h.digest = true, serial, digest
		st := reader.Load(name)
		if st.Version == nil || st.Version.Serial() != serial || !st.Version.SameContent(cur) || len(st.Problems) > 0 {
			fail("zone %s: the store holds %v, problems %q; serving %d", name, st.Version != nil, st.Problems, serial) // 3
		}
		if out := seed.OutputVersion(w.compiled[name].Zone); out == nil || out.Serial() != serial || !out.SameContent(cur) {
			fail("zone %s: the output file does not hold serial %d", name, serial) // 3
		}
		if got := w.served[name].holds(); got == nil || got.Serial() != serial || !got.SameContent(cur) {
			fail("zone %s: the nameserver was not given serial %d (it holds %v)", name, serial, describeVersion(got)) // 3
		}
		if w.broken && name == "a.example" {
			continue // it keeps what it has until the template is mended
		}
		want, err := w.compiled[name].Version(serial, w.values())
		if err != nil || !want.SameContent(cur) {
			fail("zone %s: serial %d does not hold what the active targets %v say (%v)", name, serial, w.engine.ActiveTargets(), err) // 4, 8
		}
	}
	w.checkFlapBound(step)
}

// checkFlapBound checks invariant 5: no more than max_switches automatic
// switches within any switch_window.
func (w *world) checkFlapBound(step string) {
	if w.maxSwitch == 0 || w.clockSetBack {
		return // the governor counts in wall time, which a clock set back rewrites
	}
	for svc, times := range w.switches {
		if svc != "web" { // the one service given a governor
			continue
		}
		for i := range times {
			n := 0
			for _, t := range times[i:] {
				if t.Sub(times[i]) >= 0 && t.Sub(times[i]) < w.window {
					n++
				}
			}
			if n > w.maxSwitch {
				w.t.Fatalf("%s: %s made %d automatic switches within %s of %s; max_switches is %d", step, svc, n, w.window, times[i], w.maxSwitch)
			}
		}
	}
}

func describeVersion(v *zones.Version) string {
	if v == nil {
		return "nothing"
	}
	return fmt.Sprintf("serial %d", v.Serial())
}
