package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"
)

// logLine is what is read from zonerw's JSON log lines.
type logLine struct {
	Time time.Time `json:"time"`
	Msg  string    `json:"msg"`
}

// logTimes follows zonerw's log from offset until it has the first
// "switch" line (the decision) and the first "zone version made" line
// after it (the new version made and stored), or ctx ends. The second is
// zero if it does not come within a second of the first.
func logTimes(ctx context.Context, path string, offset int64) (decided, published time.Time, err error) {
	f, err := os.Open(path)
	if err != nil {
		return decided, published, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return decided, published, err
	}
	r := bufio.NewReader(f)
	var partial []byte
	for {
		line, err := r.ReadBytes('\n')
		partial = append(partial, line...)
		if err == io.EOF {
			if !decided.IsZero() && time.Since(decided) > time.Second {
				return decided, published, nil
			}
			select {
			case <-ctx.Done():
				if decided.IsZero() {
					return decided, published, fmt.Errorf(`watch: no "switch" line in %s: %w`, path, ctx.Err())
				}
				return decided, published, nil
			case <-time.After(time.Millisecond):
			}
			continue
		}
		if err != nil {
			return decided, published, err
		}
		var l logLine
		if json.Unmarshal(bytes.TrimSpace(partial), &l) == nil {
			switch {
			case decided.IsZero() && l.Msg == "switch":
				decided = l.Time
			case !decided.IsZero() && l.Msg == "zone version made":
				return decided, l.Time, nil
			}
		}
		partial = partial[:0]
	}
}
