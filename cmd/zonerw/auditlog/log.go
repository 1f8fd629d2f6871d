package auditlog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/zonerw/zonerw/failover"
)

// Path is where the audit log of stateDir is.
func Path(stateDir string) string { return filepath.Join(stateDir, "audit.log") }

// Log appends every decision and event to the audit log, one JSON object
// a line, with the probe results that caused it. It is the daemon's and
// cron mode's record of what zonerw did and why.
type Log struct {
	path string
	log  *slog.Logger
	mu   sync.Mutex
}

// New writes to Path(stateDir); a nil log reports write failures on
// stderr.
func New(stateDir string, log *slog.Logger) *Log {
	if log == nil {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return &Log{path: Path(stateDir), log: log}
}

// Record implements failover.Recorder. A write failure is logged, never
// allowed to stop a failover.
func (a *Log) Record(o failover.Outcome) {
	if o.Empty() {
		return
	}
	var lines []Line
	for i := range o.Decisions {
		lines = append(lines, Line{Type: "switch", Decision: &o.Decisions[i]})
	}
	for i := range o.Events {
		lines = append(lines, Line{Type: "event", Event: &o.Events[i]})
	}
	a.write(lines)
}

var _ failover.Recorder = (*Log)(nil)

// Drift appends a drift line. A write failure is logged, never allowed
// to stop a publish.
func (a *Log) Drift(d Drift) {
	if d.Live == nil {
		d.Live = []string{}
	}
	a.write([]Line{{Type: "drift", Drift: &d}})
}

func (a *Log) write(lines []Line) {
	if err := a.append(lines); err != nil {
		a.log.Error("audit log write failed", "path", a.path, "err", err)
	}
}

// append writes lines at the end of the log in one write. When the write
// fails (a full disk), the log is cut back to where it ended, so that no
// torn line is left for the next record to be glued to. The file is
// 0600, as the rest of the state directory: its lines hold probe output.
func (a *Log) append(lines []Line) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, l := range lines {
		if err := enc.Encode(l); err != nil {
			return fmt.Errorf("encode: %w", err)
		}
	}
	f, err := os.OpenFile(a.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Truncate(fi.Size()) // best effort: the disk may refuse this too
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
