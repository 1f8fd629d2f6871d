package zones

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

// ZoneState is what the pipeline remembers per zone.
type ZoneState struct {
	// Serial is the SOA serial last written.
	Serial uint32 `json:"serial"`
	// Digest is the Digest of the zone last written.
	Digest string `json:"digest"`
	// Written is when it was written.
	Written time.Time `json:"written"`
}

// stateFileMode keeps state files readable by their owner only.
const stateFileMode = 0o600

// SaveJSON writes v as indented JSON to path atomically (see WriteFile),
// with mode 0600.
func SaveJSON(path string, v any) error {
	return writeAtomic(path, stateFileMode, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}, nil)
}

// LoadJSON decodes the JSON file at path into v. found is false, with no
// error, when the file does not exist. A corrupt, empty or truncated file is
// an error naming the path: it is never silently taken for a missing one.
func LoadJSON(path string, v any) (found bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read state file: %w", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("decode state file %s: %w", path, err)
	}
	return true, nil
}
