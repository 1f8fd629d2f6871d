package dnsserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/miekg/dns"
)

// udpReadBuffer is the receive buffer asked for on UDP sockets.
const udpReadBuffer = 4 << 20

// errClosed is returned by Start after Shutdown.
var errClosed = errors.New("dns server is shut down")

// ListenAndStart binds addr ("127.0.0.1:5353", "[::1]:53") on UDP and TCP
// (the same port, also when addr asks for port 0) and starts serving.
func (s *Server) ListenAndStart(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen tcp %s: %w", addr, err)
	}
	pc, err := net.ListenPacket("udp", ln.Addr().String())
	if err != nil {
		ln.Close()
		return fmt.Errorf("listen udp %s: %w", addr, err)
	}
	// The default socket buffer (about 200 KiB) drops queries in bursts;
	// ask for more. The kernel caps it at net.core.rmem_max, which is fine.
	if uc, ok := pc.(*net.UDPConn); ok {
		_ = uc.SetReadBuffer(udpReadBuffer)
	}
	return s.Start(pc, ln)
}

// Start serves queries on pc (UDP) and ln (TCP); either may be nil. It
// returns once both are serving. The server owns them from then on and
// closes them at Shutdown. Start may be called once per address.
func (s *Server) Start(pc net.PacketConn, ln net.Listener) error {
	if pc != nil {
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
	servers := s.servers
	s.servers = nil
	s.mu.Unlock()
	s.cancel()
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
