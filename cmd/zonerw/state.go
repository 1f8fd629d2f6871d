package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/crashpoint"
	"github.com/zonerw/zonerw/zones/provider/sink"
	"github.com/zonerw/zonerw/zones/publish"
)

// stateVersion is bumped when the layout of state.json changes.
const stateVersion = 1

// stateFile is state.json in the state directory.
type stateFile struct {
	Version  int                          `json:"version"`
	Services failover.State               `json:"services"`
	Zones    map[string]publish.ZoneState `json:"zones"`
	// Providers is keyed by the provider's name.
	Providers map[string]sink.State `json:"providers,omitempty"`
	// Alerted is when cron mode last sent each repeating alert, so that a
	// failure lasting many runs is not re-sent every run.
	Alerted map[string]time.Time `json:"alerted,omitempty"`

	// rebuilt says why this state was rebuilt instead of read (the file
	// was damaged, or missing beside stored zones); "" when it was read,
	// or on a first run. Not written.
	rebuilt string
	// found is set when the file was there to read. Not written.
	found bool
}

func statePath(dir string) string { return filepath.Join(dir, "state.json") }

func newState() *stateFile {
	return &stateFile{Version: stateVersion, Zones: map[string]publish.ZoneState{}, Providers: map[string]sink.State{}}
}

// loadState reads state.json; a missing file is an empty state.
func loadState(dir string) (*stateFile, error) {
	st := newState()
	found, err := zones.LoadJSON(statePath(dir), st)
	if err != nil {
		return nil, err
	}
	st.found = found
	if found && st.Version != stateVersion {
		return nil, fmt.Errorf("%s: state version %d is not %d; was it written by another zonerw version?", statePath(dir), st.Version, stateVersion)
	}
	if st.Zones == nil {
		st.Zones = map[string]publish.ZoneState{}
	}
	if st.Providers == nil {
		st.Providers = map[string]sink.State{}
	}
	return st, nil
}

// loadStateOrRebuild is loadState that never stops zonerw: a state file
// that cannot be read (empty, garbage, truncated, from another version) is
// set aside under a new name, never deleted, and an empty state is used.
// Nothing that matters is lost with it: serials come back from the stored
// zones, the output files and the secondaries; each target starts as up
// and the probes take over within rise/fall rounds.
//
// A state file missing beside stored zones (deleted by hand, say) is
// reported the same way. Either way the state's rebuilt field says why,
// and newZonePipeline reports each zone's recovered serial.
func loadStateOrRebuild(dir string, log *slog.Logger) *stateFile {
	st, err := loadState(dir)
	if err == nil {
		if !st.found && hasStoredZones(dir) {
			st.rebuilt = "missing"
			log.Warn("state file missing beside stored zones: starting from an empty state; serials are recovered from the stored zones, output files and secondaries, and the targets' states from the next probes",
				"file", statePath(dir))
		}
		return st
	}
	st = newState()
	st.rebuilt = err.Error()
	aside, rerr := zones.SetAside(statePath(dir), time.Now())
	if rerr != nil {
		log.Error("state file unreadable and cannot be set aside; starting from an empty state", "file", statePath(dir), "err", err, "rename", rerr)
		return st
	}
	log.Error("state file unreadable: set aside, starting from an empty state; serials are recovered from the stored zones, output files and secondaries, and the targets' states from the next probes",
		"file", statePath(dir), "err", err, "set_aside_as", aside)
	return st
}

// hasStoredZones reports whether the state directory's zone store holds
// any zone's files: then this is not a first run.
func hasStoredZones(dir string) bool {
	entries, err := os.ReadDir(journalDir(dir))
	if err != nil {
		return false
	}
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); ext == ".snap" || ext == ".jnl" {
			return true
		}
	}
	return false
}

func saveState(dir string, st *stateFile) error {
	st.Version = stateVersion
	crashpoint.Hit(crashpoint.StateSaving, "state.json")
	if err := zones.SaveJSON(statePath(dir), st); err != nil {
		return err
	}
	crashpoint.Hit(crashpoint.StateSaved, "state.json")
	return nil
}

// stateSaver writes state.json in the background, the newest state
// winning: a failover never waits for the state file, and a state file
// that cannot be written (a full disk) delays nothing.
type stateSaver struct {
	path string
	log  *slog.Logger

	mu      sync.Mutex
	pending []byte
	err     error
	offered uint64     // offers so far
	written uint64     // the offer last written (or failed)
	settled *sync.Cond // on mu: written moved, or the saver stopped
	stopped bool
	wake    chan struct{}
	quit    chan struct{}
	done    chan struct{}
	once    sync.Once
}

func startStateSaver(dir string, log *slog.Logger) *stateSaver {
	s := &stateSaver{path: statePath(dir), log: log, wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	s.settled = sync.NewCond(&s.mu)
	go s.run()
	return s
}

// offer queues data (the whole state file) to be written.
func (s *stateSaver) offer(data []byte) {
	s.mu.Lock()
	s.pending = data
	s.offered++
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *stateSaver) run() {
	defer close(s.done)
	defer func() {
		s.mu.Lock()
		s.stopped = true
		s.settled.Broadcast()
		s.mu.Unlock()
	}()
	for {
		select {
		case <-s.wake:
			s.write()
		case <-s.quit:
			s.write()
			return
		}
	}
}

func (s *stateSaver) write() {
	s.mu.Lock()
	data, gen := s.pending, s.offered
	s.pending = nil
	s.mu.Unlock()
	if data == nil {
		return
	}
	crashpoint.Hit(crashpoint.StateSaving, "state.json")
	err := zones.WriteFile(s.path, data, 0o600)
	if err != nil {
		s.log.Error("cannot write the state file; it is written again with the next change", "err", err)
	} else {
		crashpoint.Hit(crashpoint.StateSaved, "state.json")
	}
	s.mu.Lock()
	s.err = err
	s.written = max(s.written, gen)
	s.settled.Broadcast()
	s.mu.Unlock()
}

// flush waits until everything offered so far is written, and returns the
// last write's error.
func (s *stateSaver) flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for gen := s.offered; s.written < gen && !s.stopped; {
		s.settled.Wait()
	}
	return s.err
}

// stop writes what is still queued and stops.
func (s *stateSaver) stop() {
	s.once.Do(func() { close(s.quit) })
	<-s.done
}

// lastErr is the last write's error, if it failed.
func (s *stateSaver) lastErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// saveState queues the daemon's state for writing: the services, the
// zones' serials (and reload debts), the providers'.
func (d *daemon) saveState() {
	d.mu.Lock()
	st := d.st
	st.Services = d.engine.State()
	recordZones(d.pipe, st, d.files, time.Now())
	for _, s := range d.sinks {
		if ps, ok := s.TrySnapshot(); ok {
			st.Providers[s.Name()] = ps
		}
	}
	st.Version = stateVersion
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		d.mu.Unlock()
		d.log.Error("cannot encode the state", "err", err)
		return
	}
	// Offered under the lock: two saves offer in the order they read the
	// state, so an older one is never written last.
	d.saver.offer(append(data, '\n'))
	d.mu.Unlock()
}

// lockState takes an exclusive lock on the state directory so that two
// overlapping cron runs (or a run beside the daemon) cannot interleave.
// The directory is created mode 0700 and the lock file 0600: no other
// local user can read the state or hold the lock. The lock goes when the
// process does; unlock releases it earlier. Temp files an interrupted
// write left in the directory are removed.
func lockState(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	path := filepath.Join(dir, "lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state lock: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, fmt.Errorf("state lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s is held by another zonerw process; is a previous run still going?", path)
		}
		return nil, fmt.Errorf("state lock %s: %w", path, err)
	}
	if _, err := zones.RemoveStaleTemps(dir); err != nil {
		f.Close()
		return nil, fmt.Errorf("state directory %s: %w", dir, err)
	}
	return func() { f.Close() }, nil
}

// serialLess is RFC 1982's a < b.
func serialLess(a, b uint32) bool { return zones.SerialLess(a, b) }
