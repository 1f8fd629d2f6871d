package zones

import (
	"io"
	"testing"
)

func TestLineReaderRead(t *testing.T) {
	text := "; comment\n$TTL 60\n\n  www A 127.0.0.1\n"
	r := newLineReader([]byte(text))
	got, err := io.ReadAll(r)
	if err != nil || string(got) != text {
		t.Fatalf("ReadAll = %q, %v; want %q", got, err, text)
	}
	if line := r.takeLine(); line != 4 {
		t.Errorf("record line after reading everything = %d, want 4", line)
	}
	if line := r.takeLine(); line != 4 {
		t.Errorf("line with no new record = %d, want the last line read, 4", line)
	}
}
