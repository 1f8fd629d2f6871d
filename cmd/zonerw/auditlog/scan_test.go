package auditlog

import (
	"bufio"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// TestReadLine checks readLine's edges with a 16-byte buffer, so lines
// span several reads and their ends fall at different places in them.
func TestReadLine(t *testing.T) {
	const tooLong = "<too long>"
	a40, a41 := strings.Repeat("a", 40), strings.Repeat("a", 41)
	tests := []struct {
		in   string
		max  int
		want []string // each line read; a last line without newline ends in "$"
	}{
		{"", 40, nil},
		{"\n", 40, []string{""}},
		{"abc\ndef\n", 3, []string{"abc", "def"}},
		{"abcd\nxy", 3, []string{tooLong, "xy$"}},
		{a40 + "\nb", 40, []string{a40, "b$"}},
		{"x\n" + a40 + "\n" + a40, 40, []string{"x", a40, a40 + "$"}},
		{"xyz\n" + a40 + "\n", 40, []string{"xyz", a40}},
		{a41 + "\n" + a40 + "\n", 40, []string{tooLong, a40}},
		{"x\n" + a41 + "\nok\n", 40, []string{"x", tooLong, "ok"}},
		{"x\n" + a41, 40, []string{"x", tooLong}},
	}
	for _, tc := range tests {
		r := bufio.NewReaderSize(strings.NewReader(tc.in), 16)
		var got []string
		var buf []byte
		for {
			line, unterminated, err := readLine(r, buf, tc.max)
			buf = line[:0]
			if errors.Is(err, io.EOF) {
				break
			}
			switch {
			case errors.Is(err, errLineTooLong):
				got = append(got, tooLong)
			case err != nil:
				t.Fatalf("%q: %v", tc.in, err)
			case unterminated:
				got = append(got, string(line)+"$")
			default:
				got = append(got, string(line))
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q (max %d): read %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}
