package auditlog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxLine bounds the memory one line of audit.log may take; a longer
// line is skipped, not fatal.
const MaxLine = 1 << 20

// errLineTooLong reports a line over MaxLine.
var errLineTooLong = errors.New("line longer than 1 MiB")

// Scan reads audit.log once, front to back, and hands each entry the
// filter selects to a function. It reports the lines it cannot use on
// Stderr as PATH:LINE and counts in Damaged those a crash does not
// explain.
type Scan struct {
	Path    string // for messages
	Filter  Filter
	Stderr  io.Writer
	Damaged int
}

// Run reads r to its end, or until show fails or ctx is cancelled. raw is
// the entry's line as written, without the newline.
func (s *Scan) Run(ctx context.Context, r io.Reader, show func(e Line, raw []byte) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	for n := 1; ; n++ {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted at %s:%d", s.Path, n)
		}
		line, unterminated, err := readLine(br, buf, MaxLine)
		buf = line[:0]
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, errLineTooLong):
			s.damagedf(n, "%v, skipped", err)
			continue
		case err != nil:
			return fmt.Errorf("read %s: %w", s.Path, err)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		e, raw, err := parseLine(line)
		switch {
		case err != nil && unterminated:
			// The last write never finished: the usual trace of a crash.
			s.notef(n, "incomplete last line (a write cut short, likely by a crash), skipped: %v", err)
			continue
		case err != nil:
			s.damagedf(n, "not an audit record, skipped: %v", err)
			continue
		case len(raw) < len(line):
			s.notef(n, "skipped %d bytes left by an interrupted write before this line's record", len(line)-len(raw))
		}
		if !s.Filter.match(e) {
			continue
		}
		if err := show(e, raw); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	}
}

func (s *Scan) notef(line int, format string, args ...any) {
	fmt.Fprintf(s.Stderr, "%s:%d: %s\n", s.Path, line, fmt.Sprintf(format, args...))
}

func (s *Scan) damagedf(line int, format string, args ...any) {
	s.Damaged++
	s.notef(line, format, args...)
}

// readLine reads the next line into buf's storage and returns it without
// its newline. unterminated is true for a last line that has no newline.
// A line longer than max bytes is read to its end, without keeping more
// than max of it, and reported as errLineTooLong. io.EOF means nothing is
// left.
func readLine(r *bufio.Reader, buf []byte, max int) (line []byte, unterminated bool, err error) {
	line = buf[:0]
	size := 0
	for {
		chunk, err := r.ReadSlice('\n')
		size += len(chunk)
		if size <= max+1 { // +1: the newline
			line = append(line, chunk...)
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && size == 0:
			return line, false, io.EOF
		case errors.Is(err, io.EOF):
			unterminated = true
		case err != nil:
			return line, false, err
		}
		if !unterminated {
			size-- // the newline is not part of the line
		}
		if size > max {
			return line[:0], unterminated, errLineTooLong
		}
		return bytes.TrimSuffix(line, []byte("\n")), unterminated, nil
	}
}

// recordStart begins every line Log produces: "type" is Line's first
// field. Inside a JSON string a quote is escaped, so these bytes can only
// start a record.
var recordStart = []byte(`{"type":"`)

// parseLine decodes one line of audit.log and returns the bytes of the
// record it holds. A write cut short by a crash leaves a fragment without
// a newline, and the next record is appended to it; such a line is
// accepted when what follows its last recordStart is a whole record, and
// raw is then that record alone.
func parseLine(line []byte) (e Line, raw []byte, err error) {
	e, err = decodeLine(line)
	if err == nil {
		return e, line, nil
	}
	if i := bytes.LastIndex(line, recordStart); i > 0 {
		if e, rerr := decodeLine(line[i:]); rerr == nil {
			return e, line[i:], nil
		}
	}
	return Line{}, nil, err
}

// decodeLine decodes b as one whole Line with the part its type calls
// for.
func decodeLine(b []byte) (Line, error) {
	var e Line
	if err := json.Unmarshal(b, &e); err != nil {
		return Line{}, err
	}
	switch {
	case e.Type == "switch" && e.Decision == nil:
		return Line{}, errors.New(`a "switch" entry without its "decision"`)
	case e.Type == "event" && e.Event == nil:
		return Line{}, errors.New(`an "event" entry without its "event"`)
	case e.Type == "drift" && e.Drift == nil:
		return Line{}, errors.New(`a "drift" entry without its "drift"`)
	case e.Type != "switch" && e.Type != "event" && e.Type != "drift":
		return Line{}, fmt.Errorf("unknown entry type %q", e.Type)
	}
	return e, nil
}
