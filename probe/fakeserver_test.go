package probe

import (
	"bufio"
	"crypto/tls"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
)

// session is what a fake server saw of one connection.
type session struct {
	peer     netip.Addr // the client's address
	lines    []string   // every line the client sent, in order
	sni      string     // the TLS server name, if TLS was used
	tlsError string     // the server's side of a failed handshake
}

// fakeServer accepts connections on 127.0.0.1:0 and hands each to speak,
// which holds the conversation through a textConn. What each connection
// said is kept for the test to read.
type fakeServer struct {
	t        *testing.T
	ln       net.Listener
	cert     *tls.Certificate
	speak    func(c *textConn)
	mu       sync.Mutex
	sessions []*session
	wg       sync.WaitGroup
}

func startFake(t *testing.T, cert *tls.Certificate, speak func(c *textConn)) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	f := &fakeServer{t: t, ln: ln, cert: cert, speak: speak}
	f.wg.Go(f.accept)
	t.Cleanup(func() {
		_ = ln.Close()
		f.wg.Wait()
	})
	return f
}

func (f *fakeServer) accept() {
	for {
		conn, err := f.ln.Accept()
		if err != nil {
			return
		}
		s := &session{}
		if ap, err := netip.ParseAddrPort(conn.RemoteAddr().String()); err == nil {
			s.peer = ap.Addr()
		}
		f.mu.Lock()
		f.sessions = append(f.sessions, s)
		f.mu.Unlock()
		f.wg.Go(func() {
			defer conn.Close()
			f.speak(&textConn{f: f, s: s, conn: conn, rw: bufio.NewReadWriter(bufio.NewReader(conn), bufio.NewWriter(conn))})
		})
	}
}

// port is the port the fake listens on.
func (f *fakeServer) port() uint16 { return listenerAddr(f.t, f.ln).Port() }

// last returns a copy of the most recent session, after its conversation
// ended (the test has the probe's result by then; the server side may
// still be reading the client's last line, so wait for it).
func (f *fakeServer) last() session {
	f.t.Helper()
	f.ln.Close()
	f.wg.Wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.sessions) == 0 {
		f.t.Fatal("the fake server saw no connection")
	}
	s := *f.sessions[len(f.sessions)-1]
	s.lines = append([]string(nil), s.lines...)
	return s
}

// textConn is the server's side of one connection.
type textConn struct {
	f    *fakeServer
	s    *session
	conn net.Conn
	rw   *bufio.ReadWriter
}

// send writes lines, each with CRLF, in one flush.
func (c *textConn) send(lines ...string) {
	for _, l := range lines {
		c.rw.WriteString(l + "\r\n")
	}
	c.rw.Flush()
}

// read returns the client's next line, or false when it is gone.
func (c *textConn) read() (string, bool) {
	line, err := c.rw.ReadString('\n')
	if err != nil {
		return "", false
	}
	line = strings.TrimRight(line, "\r\n")
	c.f.mu.Lock()
	c.s.lines = append(c.s.lines, line)
	c.f.mu.Unlock()
	return line, true
}

// startTLS runs the server's side of a TLS handshake on the connection.
func (c *textConn) startTLS() bool {
	tc := tls.Server(c.conn, &tls.Config{
		Certificates: []tls.Certificate{*c.f.cert},
		GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
			c.f.mu.Lock()
			c.s.sni = h.ServerName
			c.f.mu.Unlock()
			return nil, nil
		},
	})
	if err := tc.Handshake(); err != nil {
		c.f.mu.Lock()
		c.s.tlsError = err.Error()
		c.f.mu.Unlock()
		return false
	}
	c.conn = tc
	c.rw = bufio.NewReadWriter(bufio.NewReader(tc), bufio.NewWriter(tc))
	return true
}
