package statuspage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"
)

// auditLine is one line of state_dir/audit.log as cmd/zonerw writes it.
type auditLine struct {
	Type     string `json:"type"`
	Decision *struct {
		Service, From, To, Reason string
		Serving                   []string
		At                        time.Time
	} `json:"decision"`
	Event *struct {
		Kind, Service, Target, Reason string
		At                            time.Time
	} `json:"event"`
	Drift *struct {
		Provider string    `json:"provider"`
		Service  string    `json:"service"`
		Text     string    `json:"text"`
		At       time.Time `json:"at"`
	} `json:"drift"`
}

// maxTail bounds how much of the end of the audit log is read.
const maxTail = 8 << 20

// ReadAudit returns the last n entries of the audit log at path, newest
// first. A missing file is no entries; a line that does not parse is
// skipped. Only the end of the file is read, however long it grows.
func ReadAudit(path string, n int) ([]Event, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	for window := int64(64 << 10); ; window *= 2 {
		off := max(fi.Size()-window, 0)
		buf := make([]byte, fi.Size()-off)
		if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("audit log %s: %w", path, err)
		}
		lines := bytes.Split(buf, []byte("\n"))
		if off > 0 {
			lines = lines[1:] // the first line is cut
		}
		evs := parseAudit(lines, n)
		if len(evs) >= n || off == 0 || window >= maxTail {
			return evs, nil
		}
	}
}

// parseAudit turns the last n lines that parse into events, newest first.
func parseAudit(lines [][]byte, n int) []Event {
	var out []Event
	for _, l := range slices.Backward(lines) {
		if len(out) == n {
			break
		}
		var a auditLine
		if len(bytes.TrimSpace(l)) == 0 || json.Unmarshal(l, &a) != nil {
			continue
		}
		switch {
		case a.Decision != nil:
			d := a.Decision
			to := d.To
			if len(d.Serving) > 1 {
				to = fmt.Sprintf("all of %v", d.Serving)
			}
			out = append(out, Event{At: d.At, Kind: "switch", Service: d.Service,
				Text: fmt.Sprintf("%s → %s: %s", d.From, to, d.Reason)})
		case a.Event != nil:
			e := a.Event
			out = append(out, Event{At: e.At, Kind: e.Kind, Service: e.Service, Text: e.Reason})
		case a.Drift != nil:
			d := a.Drift
			out = append(out, Event{At: d.At, Kind: "drift", Service: d.Service, Text: "provider " + d.Provider + ": " + d.Text})
		}
	}
	return out
}
