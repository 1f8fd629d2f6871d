package statedir

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/crashpoint"
	"github.com/zonerw/zonerw/zones/provider/sink"
	"github.com/zonerw/zonerw/zones/publish"
)

// Version is bumped when the layout of state.json changes.
const Version = 1

// File is state.json in the state directory.
type File struct {
	Version  int                          `json:"version"`
	Services failover.State               `json:"services"`
	Zones    map[string]publish.ZoneState `json:"zones"`
	// Providers is keyed by the provider's name.
	Providers map[string]sink.State `json:"providers,omitempty"`
	// Alerted is when cron mode last sent each repeating alert, so that a
	// failure lasting many runs is not re-sent every run.
	Alerted map[string]time.Time `json:"alerted,omitempty"`

	// Rebuilt says why this state was rebuilt instead of read (the file
	// was damaged, or missing beside stored zones); "" when it was read,
	// or on a first run. Not written.
	Rebuilt string `json:"-"`
	// found is set when the file was there to read.
	found bool
}

// Path is where state.json of the state directory dir is.
func Path(dir string) string { return filepath.Join(dir, "state.json") }

// New is an empty state, as on a first run.
func New() *File {
	return &File{Version: Version, Zones: map[string]publish.ZoneState{}, Providers: map[string]sink.State{}}
}

// Load reads state.json; a missing file is an empty state.
func Load(dir string) (*File, error) {
	st := New()
	found, err := zones.LoadJSON(Path(dir), st)
	if err != nil {
		return nil, err
	}
	st.found = found
	if found && st.Version != Version {
		return nil, fmt.Errorf("%s: state version %d is not %d; was it written by another zonerw version?", Path(dir), st.Version, Version)
	}
	if st.Zones == nil {
		st.Zones = map[string]publish.ZoneState{}
	}
	if st.Providers == nil {
		st.Providers = map[string]sink.State{}
	}
	return st, nil
}

// LoadOrRebuild is Load that never stops zonerw: a state file
// that cannot be read (empty, garbage, truncated, from another version) is
// set aside under a new name, never deleted, and an empty state is used.
// Nothing that matters is lost with it: serials come back from the stored
// zones, the output files and the secondaries; each target starts as up
// and the probes take over within rise/fall rounds.
//
// A state file missing beside stored zones (deleted by hand, say) is
// reported the same way. Either way the state's Rebuilt field says why.
func LoadOrRebuild(dir string, log *slog.Logger) *File {
	st, err := Load(dir)
	if err == nil {
		if !st.found && hasStoredZones(dir) {
			st.Rebuilt = "missing"
			log.Warn("state file missing beside stored zones: starting from an empty state; serials are recovered from the stored zones, output files and secondaries, and the targets' states from the next probes",
				"file", Path(dir))
		}
		return st
	}
	st = New()
	st.Rebuilt = err.Error()
	aside, rerr := zones.SetAside(Path(dir), time.Now())
	if rerr != nil {
		log.Error("state file unreadable and cannot be set aside; starting from an empty state", "file", Path(dir), "err", err, "rename", rerr)
		return st
	}
	log.Error("state file unreadable: set aside, starting from an empty state; serials are recovered from the stored zones, output files and secondaries, and the targets' states from the next probes",
		"file", Path(dir), "err", err, "set_aside_as", aside)
	return st
}

// JournalDir is where each zone's stored version and journal live.
func JournalDir(stateDir string) string { return filepath.Join(stateDir, "journal") }

// hasStoredZones reports whether the state directory's zone store holds
// any zone's files: then this is not a first run.
func hasStoredZones(dir string) bool {
	entries, err := os.ReadDir(JournalDir(dir))
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

// Save writes st to the state directory dir at once.
func Save(dir string, st *File) error {
	st.Version = Version
	crashpoint.Hit(crashpoint.StateSaving, "state.json")
	if err := zones.SaveJSON(Path(dir), st); err != nil {
		return err
	}
	crashpoint.Hit(crashpoint.StateSaved, "state.json")
	return nil
}

// Saver writes state.json in the background, the newest state
// winning: a failover never waits for the state file, and a state file
// that cannot be written (a full disk) delays nothing. A write that fails
// is tried again, the newest state first, after a wait that doubles from
// a second to half a minute, until one succeeds: a disk that takes writes
// again gets the state without waiting for the next change.
type Saver struct {
	path  string
	log   *slog.Logger
	retry *backoff.ExponentialBackOff // the waits after failed writes

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

// StartSaver starts writing the state directory dir's state.json in
// the background; stop it with Stop.
func StartSaver(dir string, log *slog.Logger) *Saver {
	return startSaver(dir, log, time.Second, 30*time.Second)
}

// startSaver is StartSaver with the first and the longest wait after a
// failed write.
func startSaver(dir string, log *slog.Logger, first, longest time.Duration) *Saver {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval, b.Multiplier = first, longest, 2
	s := &Saver{path: Path(dir), log: log, retry: b, wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	s.settled = sync.NewCond(&s.mu)
	go s.run()
	return s
}

// Offer queues data (the whole state file) to be written.
func (s *Saver) Offer(data []byte) {
	s.mu.Lock()
	s.pending = data
	s.offered++
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Saver) run() {
	defer close(s.done)
	defer func() {
		s.mu.Lock()
		s.stopped = true
		s.settled.Broadcast()
		s.mu.Unlock()
	}()
	var again <-chan time.Time // after a failed write
	for {
		select {
		case <-s.wake:
		case <-again:
		case <-s.quit:
			s.write()
			return
		}
		if s.write() {
			again = nil
			s.retry.Reset()
		} else {
			again = time.After(s.retry.NextBackOff())
		}
	}
}

// write writes what is pending, if anything, and reports whether nothing
// is left to write. What failed stays pending unless newer state came.
func (s *Saver) write() bool {
	s.mu.Lock()
	data, gen := s.pending, s.offered
	s.pending = nil
	s.mu.Unlock()
	if data == nil {
		return true
	}
	crashpoint.Hit(crashpoint.StateSaving, "state.json")
	err := zones.WriteFile(s.path, data, 0o600)
	if err != nil {
		s.log.Error("cannot write the state file; it is tried again", "err", err)
	} else {
		crashpoint.Hit(crashpoint.StateSaved, "state.json")
		if s.err != nil {
			s.log.Info("state file written again", "path", s.path)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil && s.pending == nil {
		s.pending = data
	}
	s.err = err
	s.written = max(s.written, gen)
	s.settled.Broadcast()
	return err == nil
}

// Flush waits until everything offered so far is written, and returns the
// last write's error.
func (s *Saver) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for gen := s.offered; s.written < gen && !s.stopped; {
		s.settled.Wait()
	}
	return s.err
}

// Stop writes what is still queued and stops.
func (s *Saver) Stop() {
	s.once.Do(func() { close(s.quit) })
	<-s.done
}

// LastErr is the last write's error, if it failed.
func (s *Saver) LastErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Lock takes an exclusive lock on the state directory so that two
// overlapping cron runs (or a run beside the daemon) cannot interleave.
// The directory is created mode 0700 and the lock file 0600: no other
// local user can read the state or hold the lock. The lock goes when the
// process does; unlock releases it earlier. Temp files an interrupted
// write left in the directory are removed.
func Lock(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	path := filepath.Join(dir, "lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	readOnly, onDir := errors.Is(err, syscall.EROFS), false
	if readOnly {
		// A file system remounted read-only (as after a disk error): the
		// daemon must still start and serve what is stored, so the lock
		// is taken on what can be opened to read: the lock file, else
		// the directory (flock needs no write access).
		if f, err = os.Open(path); err != nil {
			f, err = os.Open(dir)
			onDir = err == nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("state lock: %w", err)
	}
	if !readOnly {
		if err := f.Chmod(0o600); err != nil {
			f.Close()
			return nil, fmt.Errorf("state lock %s: %w", path, err)
		}
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s is held by another zonerw process: a zonerw serve on this state directory, or a run still going", path)
		}
		return nil, fmt.Errorf("state lock %s: %w", path, err)
	}
	// The directory is locked as well: a lock file deleted by hand (the
	// message above invites it) would let a second process lock a new
	// one, and two would write the store at once.
	if onDir { // the lock above is the directory's already
		return func() { f.Close() }, nil
	}
	d, err := os.Open(dir)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("state lock %s: %w", dir, err)
	}
	if err := syscall.Flock(int(d.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		d.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s is locked by another zonerw process (a zonerw serve on this state directory, or a run still going), although its lock file %s was removed", dir, path)
		}
		return nil, fmt.Errorf("state lock %s: %w", dir, err)
	}
	if _, err := zones.RemoveStaleTemps(dir); err != nil && !errors.Is(err, syscall.EROFS) {
		f.Close()
		d.Close()
		return nil, fmt.Errorf("state directory %s: %w", dir, err)
	}
	return func() { f.Close(); d.Close() }, nil
}
