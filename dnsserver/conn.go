package dnsserver

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// capListener closes connections beyond the number of slots at once,
// rather than letting them wait in the kernel's queue.
type capListener struct {
	net.Listener
	slots    chan struct{}
	rejected *atomic.Uint64
}

// Accept returns the next connection that fits under the cap.
func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.slots <- struct{}{}:
			return &slotConn{Conn: c, free: func() { <-l.slots }}, nil
		default:
			l.rejected.Add(1)
			c.Close()
		}
	}
}

// slotConn gives its slot back when closed.
type slotConn struct {
	net.Conn
	once sync.Once
	free func()
}

// Close closes the connection and frees its slot.
func (c *slotConn) Close() error {
	c.once.Do(c.free)
	return c.Conn.Close()
}

// cappedReader reads TCP queries like the dns package does, but refuses a
// length prefix above max, closing the connection instead of reading on.
type cappedReader struct {
	dns.PacketConnReader
	max     int
	closing *atomic.Bool
}

// ReadTCP reads one length-prefixed query.
func (r cappedReader) ReadTCP(conn net.Conn, timeout time.Duration) ([]byte, error) {
	if r.closing.Load() {
		return nil, errClosed
	}
	conn.SetReadDeadline(time.Now().Add(timeout))
	if r.closing.Load() {
		// Shutdown may have set a past deadline just before ours: restore it.
		conn.SetReadDeadline(time.Unix(1, 0))
	}
	var prefix [2]byte
	if _, err := io.ReadFull(conn, prefix[:]); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(prefix[:]))
	if n > r.max {
		return nil, fmt.Errorf("tcp query of %d bytes from %s exceeds %d", n, conn.RemoteAddr(), r.max)
	}
	m := make([]byte, n)
	if _, err := io.ReadFull(conn, m); err != nil {
		return nil, err
	}
	return m, nil
}
