package probe

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// maxLine caps one protocol line read from a server (RFC 5321 allows 512
// octets for a reply line; IMAP greetings are short too). A longer line
// fails the check rather than filling memory.
const maxLine = 4096

// maxReplyLines caps the lines of one multi-line reply.
const maxReplyLines = 100

// lineConn reads and writes CRLF-terminated lines on a connection.
type lineConn struct {
	conn net.Conn
	r    *bufio.Reader
}

func newLineConn(conn net.Conn) *lineConn {
	return &lineConn{conn: conn, r: bufio.NewReaderSize(conn, maxLine)}
}

// readLine returns one line without its line ending.
func (c *lineConn) readLine() (string, error) {
	line, err := c.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return "", fmt.Errorf("server sent a line longer than %d bytes", maxLine)
	}
	if err != nil {
		return "", err
	}
	return string(bytes.TrimRight(line, "\r\n")), nil
}

// writeLine sends s and CRLF.
func (c *lineConn) writeLine(s string) error {
	_, err := c.conn.Write([]byte(s + "\r\n"))
	return err
}

// drained reports whether the server sent nothing past the last line read.
// Before a STARTTLS upgrade anything buffered would be read as if it had
// come over TLS, so a check refuses it (the STARTTLS command-injection
// flaw of RFC 3207 section 5 and RFC 9051 section 11.1).
func (c *lineConn) drained() error {
	if c.r.Buffered() > 0 {
		return errors.New("server sent data after its STARTTLS reply")
	}
	return nil
}

// stepFailure is the Reason for a failed protocol step: "timeout after 2s
// (step)" for a timeout, else "step: what failed" as failureReason tells it.
func stepFailure(ctx context.Context, start time.Time, step string, err error) string {
	var netErr net.Error
	deadline, hasDeadline := ctx.Deadline()
	if errors.As(err, &netErr) && netErr.Timeout() && hasDeadline && !time.Now().Before(deadline) {
		return "timeout after " + budget(ctx, start).String() + " (" + step + ")"
	}
	if ctx.Err() != nil {
		return failureReason(ctx, start, err) + " (" + step + ")"
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return step + ": the server closed the connection"
	}
	return step + ": " + failureReason(ctx, start, err)
}

// printable shortens a server's text for a Reason and drops control
// characters, so that a hostile server cannot forge log lines.
func printable(s string) string {
	const maxText = 120
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > maxText {
		s = string(r[:maxText]) + "..."
	}
	return s
}
