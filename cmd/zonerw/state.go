package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/zones"
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
	Providers map[string]providerState `json:"providers,omitempty"`
	// Alerted is when cron mode last sent each repeating alert, so that a
	// failure lasting many runs is not re-sent every run.
	Alerted map[string]time.Time `json:"alerted,omitempty"`
}

func statePath(dir string) string { return filepath.Join(dir, "state.json") }

// loadState reads state.json; a missing file is an empty state.
func loadState(dir string) (*stateFile, error) {
	st := &stateFile{Version: stateVersion, Zones: map[string]publish.ZoneState{}}
	found, err := zones.LoadJSON(statePath(dir), st)
	if err != nil {
		return nil, err
	}
	if found && st.Version != stateVersion {
		return nil, fmt.Errorf("%s: state version %d is not %d; was it written by another zonerw version?", statePath(dir), st.Version, stateVersion)
	}
	if st.Zones == nil {
		st.Zones = map[string]publish.ZoneState{}
	}
	if st.Providers == nil {
		st.Providers = map[string]providerState{}
	}
	return st, nil
}

func saveState(dir string, st *stateFile) error {
	st.Version = stateVersion
	return zones.SaveJSON(statePath(dir), st)
}

// lockState takes an exclusive lock on the state directory so that two
// overlapping cron runs (or a run beside the daemon) cannot interleave.
// The lock goes when the process does; unlock releases it earlier.
func lockState(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	path := filepath.Join(dir, "lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("state lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s is held by another zonerw process; is a previous run still going?", path)
		}
		return nil, fmt.Errorf("state lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
