package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/zonerw/zonerw/failover"
)

// auditLog appends every decision and event to state_dir/audit.log, one
// JSON object a line, with the probe results that caused it. It is the
// daemon's and cron mode's record of what zonerw did and why.
type auditLog struct {
	path string
	log  *slog.Logger
	mu   sync.Mutex
}

// newAuditLog writes to stateDir/audit.log; a nil log reports write
// failures on stderr.
func newAuditLog(stateDir string, log *slog.Logger) *auditLog {
	if log == nil {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return &auditLog{path: filepath.Join(stateDir, "audit.log"), log: log}
}

// auditLine is one line of audit.log.
type auditLine struct {
	Type     string             `json:"type"` // "switch", "event" or "drift"
	Decision *failover.Decision `json:"decision,omitempty"`
	Event    *failover.Event    `json:"event,omitempty"`
	Drift    *auditDrift        `json:"drift,omitempty"`
}

// Record implements failover.Recorder. A write failure is logged, never
// allowed to stop a failover.
func (a *auditLog) Record(o failover.Outcome) {
	if o.Empty() {
		return
	}
	var lines []auditLine
	for i := range o.Decisions {
		lines = append(lines, auditLine{Type: "switch", Decision: &o.Decisions[i]})
	}
	for i := range o.Events {
		lines = append(lines, auditLine{Type: "event", Event: &o.Events[i]})
	}
	if err := a.append(lines); err != nil {
		a.log.Error("audit log write failed", "path", a.path, "err", err)
	}
}

func (a *auditLog) append(lines []auditLine) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	f, err := os.OpenFile(a.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	for _, l := range lines {
		if err := enc.Encode(l); err != nil {
			f.Close()
			return fmt.Errorf("encode: %w", err)
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
