package dnsserver

import (
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"runtime/debug"

	"github.com/miekg/dns"
)

// A UDP socket is served by a loop of its own rather than by the dns
// package's server: it reads queries in batches (recvmmsg), answers the
// common ones on the fast path straight into reply buffers, hands the
// rest to ServeDNS, and sends the replies in batches (sendmmsg). A query
// on the fast path costs a lookup and a copy, and allocates nothing.

// udpBatch is how many datagrams one read or write moves at most.
const udpBatch = 32

// batchConn reads and writes datagrams in batches (mmsg_linux.go, and
// mmsg_other.go elsewhere).
type batchConn interface {
	// serve reads batches into the buffers of ds (each up to its
	// capacity) and calls handle with how many it filled, until the
	// socket fails or is closed.
	serve(ds []datagram, handle func(n int)) error
	// writeBatch sends the first datagrams of ds and returns how many.
	writeBatch(ds []datagram) (int, error)
	// stop makes serve return net.ErrClosed, also from a read in progress.
	stop()
	// close releases the socket once serve has returned.
	close()
	localAddr() net.Addr
}

// datagram is one datagram of a batch.
type datagram struct {
	buf   []byte // to send; for a read, its capacity is the space
	n     int    // bytes read
	trunc bool   // it was larger than the space
	from  netip.AddrPort
	scope uint32 // of an IPv6 link-local peer
}

// udpLoop serves one UDP socket.
type udpLoop struct {
	s  *Server
	bc batchConn
}

// newUDPLoop takes conn over for a loop (conn itself may be closed).
func newUDPLoop(s *Server, conn *net.UDPConn) (*udpLoop, error) {
	bc, err := newBatchConn(conn, udpBatch)
	if err != nil {
		return nil, err
	}
	return &udpLoop{s: s, bc: bc}, nil
}

// stop ends run, also while it waits for a datagram.
func (l *udpLoop) stop() { l.bc.stop() }

// run serves until stop, then releases the socket.
func (l *udpLoop) run() {
	defer l.bc.close()
	in := make([]datagram, udpBatch)
	out := make([]datagram, udpBatch)
	replies := make([][]byte, udpBatch)
	for i := range in {
		in[i].buf = make([]byte, 0, l.s.cfg.MaxQuerySize)
		replies[i] = make([]byte, fastReplyMax)
	}
	handle := func(n int) {
		k := 0
		for i := range in[:n] {
			d := &in[i]
			if d.trunc || !d.from.IsValid() {
				continue // larger than MaxQuerySize: not a query we parse
			}
			if size := l.answer(d.buf[:d.n], d.from, d.scope, replies[k]); size > 0 {
				out[k] = datagram{buf: replies[k][:size], from: d.from, scope: d.scope}
				k++
			}
		}
		l.send(out[:k])
	}
	for {
		err := l.bc.serve(in, handle)
		if l.s.closing.Load() || errors.Is(err, net.ErrClosed) {
			return
		}
		l.s.logLimited(slog.LevelWarn, "udp read failed", "addr", l.bc.localAddr().String(), "err", err)
	}
}

// send writes every reply, in as few calls as the kernel allows.
func (l *udpLoop) send(ds []datagram) {
	for len(ds) > 0 {
		n, err := l.bc.writeBatch(ds)
		if err != nil {
			l.s.logLimited(slog.LevelDebug, "cannot send answers", "addr", l.bc.localAddr().String(), "err", err)
			n = max(n, 1) // skip the datagram that failed
		}
		ds = ds[n:]
	}
}

// answer handles one datagram from ap: the fast path writes its reply
// into buf and returns the length; anything else goes to ServeDNS, which
// sends its own reply (0 is returned). Responses are dropped unread.
func (l *udpLoop) answer(q []byte, ap netip.AddrPort, scope uint32, buf []byte) (size int) {
	if len(q) < headerLen || q[2]&0x80 != 0 {
		l.s.stats.dropped.Add(1)
		return 0
	}
	if n := l.fast(q, ap.Addr().Unmap(), buf); n != 0 {
		return max(n, 0)
	}
	l.full(q, ap, scope)
	return 0
}

// fast is the fast path; a panic in it sends the query down the full
// path instead (which answers SERVFAIL if it panics too).
func (l *udpLoop) fast(q []byte, addr netip.Addr, buf []byte) (n int) {
	defer func() {
		if v := recover(); v != nil {
			l.s.stats.panics.Add(1)
			l.s.log.Error("panic on the fast path; the query takes the full one", "panic", v, "stack", string(debug.Stack()))
			n = 0
		}
	}()
	return l.s.fastAnswer(q, addr, buf)
}

// full answers q the way the dns package's server would, through
// ServeDNS: the layout check, the parse (FORMERR if it fails), TSIG
// verification, then the handler.
func (l *udpLoop) full(q []byte, from netip.AddrPort, scope uint32) {
	w := &loopWriter{l: l, to: from, scope: scope}
	q, ok := l.s.screen(q, func() dns.ResponseWriter { return w })
	if !ok {
		return // a malformed layout, answered FORMERR by screen
	}
	req := new(dns.Msg)
	if err := req.Unpack(q); err != nil {
		l.s.formErr(w, q)
		return
	}
	if t := req.IsTsig(); t != nil {
		w.tsigStatus = dns.TsigVerifyWithProvider(q, l.s.keys, "", false)
		w.requestMAC = t.MAC
	}
	l.s.ServeDNS(w, req)
}

// loopWriter is the dns.ResponseWriter of a query on the full path.
type loopWriter struct {
	l          *udpLoop
	to         netip.AddrPort
	scope      uint32 // of an IPv6 link-local peer
	tsigStatus error
	requestMAC string // of a signed query: the reply's TSIG covers it
}

var _ dns.ResponseWriter = (*loopWriter)(nil)

func (w *loopWriter) LocalAddr() net.Addr  { return w.l.bc.localAddr() }
func (w *loopWriter) RemoteAddr() net.Addr { return net.UDPAddrFromAddrPort(w.to) }

// WriteMsg packs m and sends it, signed (RFC 8945) when it carries a TSIG
// record, as the dns package's own writer does.
func (w *loopWriter) WriteMsg(m *dns.Msg) error {
	var b []byte
	var err error
	if m.IsTsig() != nil {
		b, _, err = dns.TsigGenerateWithProvider(m, w.l.s.keys, w.requestMAC, false)
	} else {
		b, err = m.Pack()
	}
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
func (w *loopWriter) Write(b []byte) (int, error) {
	if _, err := w.l.bc.writeBatch([]datagram{{buf: b, from: w.to, scope: w.scope}}); err != nil {
		return 0, err
	}
	return len(b), nil
}
func (w *loopWriter) Close() error        { return nil }
func (w *loopWriter) TsigStatus() error   { return w.tsigStatus }
func (w *loopWriter) TsigTimersOnly(bool) {}
func (w *loopWriter) Hijack()             {}
