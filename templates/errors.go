package templates

import (
	"errors"
	"fmt"
)

// LineError is an error tied to one line of a template file. Parse and
// Render return them (joined with errors.Join when there are several), so
// callers can use errors.As to find the file and line.
type LineError struct {
	File string
	Line int // 1-based
	Col  int // 1-based byte column, 0 when the error is about the whole line
	Err  error
}

// Error formats the error as "file:line: message", or "file:line:col:
// message" when it names a column.
func (e *LineError) Error() string {
	if e.Col > 0 {
		return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Col, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

// Unwrap returns the underlying error.
func (e *LineError) Unwrap() error { return e.Err }

// lineErrors collects the errors of one template file.
type lineErrors struct {
	file string
	errs []error
}

// add records an error for a 1-based line number.
func (l *lineErrors) add(line int, format string, args ...any) {
	l.errs = append(l.errs, &LineError{File: l.file, Line: line, Err: fmt.Errorf(format, args...)})
}

// addAt records an error for a 1-based line and column.
func (l *lineErrors) addAt(line, col int, format string, args ...any) {
	l.errs = append(l.errs, &LineError{File: l.file, Line: line, Col: col, Err: fmt.Errorf(format, args...)})
}

// err returns the collected errors joined, or nil when there are none.
func (l *lineErrors) err() error { return errors.Join(l.errs...) }
