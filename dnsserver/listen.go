package dnsserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/sys/unix"
)

// udpReadBuffer is the receive buffer asked for on UDP sockets.
const udpReadBuffer = 4 << 20

// errClosed is returned by Start after Shutdown.
var errClosed = errors.New("dns server is shut down")

// ListenAndStart binds addr ("127.0.0.1:5353", "[::1]:53") on UDP and TCP
// (the same port, also when addr asks for port 0) and starts serving. UDP
// gets one socket per core (SO_REUSEPORT: the kernel spreads the clients
// over them), each with a loop of its own.
func (s *Server) ListenAndStart(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen tcp %s: %w", addr, err)
	}
	conns, err := listenUDP(ln.Addr().String(), udpSockets())
	if err != nil {
		ln.Close()
		return fmt.Errorf("listen udp %s: %w", addr, err)
	}
	for _, c := range conns[1:] {
		s.startUDP(c)
	}
	return s.Start(conns[0], ln)
}

// udpSockets is how many UDP sockets a listener gets: one per core the
// process may run on, at most 8.
func udpSockets() int { return min(max(baseProcs(), 1), 8) }

// listenUDP binds n UDP sockets to addr with SO_REUSEPORT.
func listenUDP(addr string, n int) ([]*net.UDPConn, error) {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) { serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1) })
		return errors.Join(err, serr)
	}}
	var out []*net.UDPConn
	for range n {
		pc, err := lc.ListenPacket(context.Background(), "udp", addr)
		if err != nil {
			for _, c := range out {
				c.Close()
			}
			return nil, err
		}
		c := pc.(*net.UDPConn)
		// The default socket buffer (about 200 KiB) drops queries in
		// bursts; ask for more. The kernel caps it at net.core.rmem_max.
		_ = c.SetReadBuffer(udpReadBuffer)
		out = append(out, c)
	}
	return out, nil
}

// Start serves queries on pc (UDP) and ln (TCP); either may be nil. It
// returns once both are serving. The server owns them from then on and
// closes them at Shutdown. Start may be called once per address.
func (s *Server) Start(pc net.PacketConn, ln net.Listener) error {
	if uc, ok := pc.(*net.UDPConn); ok {
		if err := s.startUDP(uc); err != nil {
			if ln != nil {
				ln.Close()
			}
			return err
		}
	} else if pc != nil {
		srv := s.newDNSServer()
		srv.PacketConn = pc
		if err := s.run(srv, pc.LocalAddr()); err != nil {
			if ln != nil {
				ln.Close()
			}
			return err
		}
	}
	if ln != nil {
		srv := s.newDNSServer()
		lim := newTCPLimiter(s)
		s.tcp.add(lim)
		srv.Listener = &capListener{Listener: ln, limits: lim}
		return s.run(srv, ln.Addr())
	}
	return nil
}

// startUDP serves the UDP socket c with a loop of its own.
func (s *Server) startUDP(c *net.UDPConn) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		c.Close()
		return errClosed
	}
	l, err := newUDPLoop(s, c)
	if err != nil {
		c.Close()
		return err
	}
	s.udp = append(s.udp, l)
	s.wg.Go(l.run)
	return nil
}

func (s *Server) newDNSServer() *dns.Server {
	idle := s.cfg.TCPIdleTimeout // wireReader sets the TCP read deadlines itself
	return &dns.Server{
		Handler:       s,
		UDPSize:       s.cfg.MaxQuerySize, // the read buffer: larger queries do not parse
		ReadTimeout:   idle,
		IdleTimeout:   func() time.Duration { return idle },
		MaxTCPQueries: -1,
		TsigProvider:  s.keys,
		MsgAcceptFunc: s.accept,
		DecorateReader: func(r dns.Reader) dns.Reader {
			return wireReader{PacketConnReader: r.(dns.PacketConnReader), s: s}
		},
	}
}

// accept drops responses before they are parsed and lets the handler
// judge everything else, so that it answers FORMERR and NOTIMP itself.
func (s *Server) accept(h dns.Header) dns.MsgAcceptAction {
	const qr = 1 << 15
	if h.Bits&qr != 0 {
		s.stats.dropped.Add(1)
		return dns.MsgIgnore
	}
	return dns.MsgAccept
}

// run starts srv and waits until it serves or fails.
func (s *Server) run(srv *dns.Server, addr net.Addr) error {
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	done := make(chan error, 1)
	s.mu.Lock()
	if s.closing.Load() {
		s.mu.Unlock()
		return errClosed
	}
	s.wg.Go(func() {
		err := srv.ActivateAndServe()
		if err != nil && !s.closing.Load() {
			s.log.Error("dns listener stopped", "addr", addr.String(), "err", err)
		}
		done <- err
	})
	s.mu.Unlock()
	select {
	case <-started:
	case err := <-done:
		return fmt.Errorf("serve dns on %s: %w", addr, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		srv.Shutdown()
		return errClosed
	}
	s.servers = append(s.servers, srv)
	return nil
}

// Shutdown stops the listeners, waits for the queries and transfers in
// progress and cancels NOTIFY work, all within ctx. It is safe to call
// more than once.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing.Store(true)
	servers, udp := s.servers, s.udp
	s.servers, s.udp = nil, nil
	s.mu.Unlock()
	s.cancel()
	for _, l := range udp {
		l.stop()
	}
	var errs []error
	for _, srv := range servers {
		if err := srv.ShutdownContext(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shut down dns listener: %w", err))
		}
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("shut down dns server: %w", ctx.Err()))
	}
	s.ratelog.flush(s.now(), true) // the last summaries of the rate-limited log
	return errors.Join(errs...)
}
