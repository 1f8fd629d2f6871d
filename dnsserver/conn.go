package dnsserver

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/miekg/dns"
)

// capListener hands the dns package only the connections its limiter
// admits, closing the others at once rather than letting them wait in
// the kernel's queue.
type capListener struct {
	net.Listener
	limits *tcpLimiter
}

// Accept returns the next connection the limits admit.
func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if tc := l.limits.admit(c); tc != nil {
			return tc, nil
		}
		c.Close()
	}
}

// errSlotTaken ends a connection whose slot a newcomer took.
var errSlotTaken = errors.New("tcp connection slot given to another client")

// wireReader reads queries for the dns package. Over TCP it refuses a
// length prefix above the server's MaxQuerySize, closing the connection
// instead of reading on, and applies the connection limits; over both it
// answers FORMERR itself to a message whose sections do not hold what
// its header counts (the dns package would parse what is there).
type wireReader struct {
	dns.PacketConnReader
	s *Server
}

// errTCPFraming ends a TCP connection whose stream no longer reads as
// DNS messages.
var errTCPFraming = errors.New("tcp message malformed: connection closed")

// ReadTCP reads one length-prefixed query. A message too short for a
// header, or whose sections do not hold what its header counts (answered
// FORMERR), closes the connection, as Knot does: after such a frame the
// length prefixes that follow cannot be trusted either.
func (r wireReader) ReadTCP(conn net.Conn, _ time.Duration) ([]byte, error) {
	m, err := r.readTCP(conn)
	if err != nil {
		return nil, err
	}
	if len(m) < headerLen {
		return nil, errTCPFraming
	}
	m, ok := r.s.screen(m, func() dns.ResponseWriter { return tcpWriter(conn) })
	if !ok {
		return nil, errTCPFraming
	}
	return m, nil
}

func (r wireReader) readTCP(conn net.Conn) ([]byte, error) {
	tc, _ := conn.(*trackedConn)
	timeout := r.s.cfg.TCPIdleTimeout
	if tc != nil {
		var ok bool
		if timeout, ok = tc.waiting(); !ok {
			return nil, errSlotTaken
		}
	}
	if r.s.closing.Load() {
		return nil, errClosed
	}
	conn.SetReadDeadline(time.Now().Add(timeout))
	if r.s.closing.Load() {
		// Shutdown may have set a past deadline just before ours: restore it.
		conn.SetReadDeadline(time.Unix(1, 0))
	}
	var prefix [2]byte
	if _, err := io.ReadFull(conn, prefix[:]); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(prefix[:]))
	if n > r.s.cfg.MaxQuerySize {
		return nil, fmt.Errorf("tcp query of %d bytes from %s exceeds %d", n, conn.RemoteAddr(), r.s.cfg.MaxQuerySize)
	}
	m := make([]byte, n)
	if _, err := io.ReadFull(conn, m); err != nil {
		return nil, err
	}
	if tc != nil && !tc.serving() {
		return nil, errSlotTaken
	}
	return m, nil
}

// ReadUDP reads one datagram from a UDP socket.
func (r wireReader) ReadUDP(conn *net.UDPConn, timeout time.Duration) ([]byte, *dns.SessionUDP, error) {
	for {
		m, sess, err := r.PacketConnReader.ReadUDP(conn, timeout)
		if err != nil {
			return nil, nil, err
		}
		if m, ok := r.s.screen(m, func() dns.ResponseWriter { return udpWriter(conn, sess) }); ok {
			return m, sess, nil
		}
	}
}

// ReadPacketConn reads one datagram from another kind of PacketConn.
func (r wireReader) ReadPacketConn(conn net.PacketConn, timeout time.Duration) ([]byte, net.Addr, error) {
	for {
		m, addr, err := r.PacketConnReader.ReadPacketConn(conn, timeout)
		if err != nil {
			return nil, nil, err
		}
		if m, ok := r.s.screen(m, func() dns.ResponseWriter { return packetWriter(conn, addr) }); ok {
			return m, addr, nil
		}
	}
}

// rawWriter is the dns.ResponseWriter of the replies the reader sends
// itself.
type rawWriter struct {
	local, remote net.Addr
	send          func([]byte) error
}

func tcpWriter(c net.Conn) *rawWriter {
	return &rawWriter{local: c.LocalAddr(), remote: c.RemoteAddr(), send: func(b []byte) error {
		c.SetWriteDeadline(time.Now().Add(2 * time.Second))
		_, err := c.Write(binary.BigEndian.AppendUint16(nil, uint16(len(b))))
		if err == nil {
			_, err = c.Write(b)
		}
		return err
	}}
}

func udpWriter(c *net.UDPConn, sess *dns.SessionUDP) *rawWriter {
	return &rawWriter{local: c.LocalAddr(), remote: sess.RemoteAddr(), send: func(b []byte) error {
		_, err := dns.WriteToSessionUDP(c, b, sess)
		return err
	}}
}

func packetWriter(c net.PacketConn, to net.Addr) *rawWriter {
	return &rawWriter{local: c.LocalAddr(), remote: to, send: func(b []byte) error {
		_, err := c.WriteTo(b, to)
		return err
	}}
}

func (w *rawWriter) LocalAddr() net.Addr  { return w.local }
func (w *rawWriter) RemoteAddr() net.Addr { return w.remote }
func (w *rawWriter) WriteMsg(m *dns.Msg) error {
	b, err := m.Pack()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
func (w *rawWriter) Write(b []byte) (int, error) { return len(b), w.send(b) }
func (w *rawWriter) Close() error                { return nil }
func (w *rawWriter) TsigStatus() error           { return nil }
func (w *rawWriter) TsigTimersOnly(bool)         {}
func (w *rawWriter) Hijack()                     {}
