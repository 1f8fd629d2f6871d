//go:build linux

package dnsserver

import (
	"encoding/binary"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// On Linux each UDP socket is read in batches with recvmmsg and answered
// with sendmmsg, both raw system calls on the non-blocking socket (a raw
// call tells the runtime nothing, so it does not wake the runtime's
// monitor thread, sysmon, at each call made while it sleeps). Between
// batches the loop waits one of two ways, by the rate of wake-ups:
//
//   - At a low rate, on the Go runtime's poller, as the net package's
//     reads do: the goroutine parks and the processor (P) is free.
//   - At a high rate, in ppoll, as a raw system call: the thread sleeps
//     in the kernel holding its processor, and the next datagram wakes
//     it and nothing else, as NSD and Knot are woken. On the poller
//     each wake-up costs the scheduler's park and wake besides, about
//     10 % more CPU per query than NSD at 20,000 queries a second
//     (docs/BENCHMARKS.md).
//
// Waiting raw, the socket must be out of the poller, or every datagram
// would also wake the thread that sleeps there. So the loop keeps a
// descriptor of its own (the net package's is closed) and registers a
// duplicate of it with the poller only while it waits there.
//
// The processor kept while waiting raw is one more than the process
// would have: takeProc adds one to GOMAXPROCS per loop, so every other
// goroutine runs as before. The runtime stops the goroutines for garbage
// collection, and preempts one it sees running for 10 ms, with a signal;
// ppoll returns EINTR for any signal, and the loop then yields. Those
// signals, one every 10 to 20 ms while no query comes, are what waiting
// raw costs, and why a slow trickle of queries is waited for on the
// poller. With GODEBUG=asyncpreemptoff=1 no such signal comes, so the
// loop always waits on the poller.

// mmsghdr is struct mmsghdr of <sys/socket.h>.
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

// The rates of wake-ups (batches read) between which a loop changes how it
// waits, counted over rateWindow: at rawFrom or more it waits in a raw
// ppoll, below pollerBelow on the runtime's poller. Waiting raw saves
// about 2.4 µs a wake-up and costs about 200 wake-ups a second of its
// own (the runtime's preemption and its monitor thread), some 8 ms of
// CPU a second here: it pays from about 3,500 wake-ups a second.
const rateWindow = 100 * time.Millisecond

var (
	rawFrom     = 400 // a window's batches: 4,000 a second
	pollerBelow = 200 // 2,000 a second
)

// rawBatchConn is a batchConn over one UDP socket descriptor of its own.
type rawBatchConn struct {
	fd    int
	laddr net.Addr
	v6    bool // an AF_INET6 socket: peers are written as sockaddr_in6
	hdrs  []mmsghdr
	iovs  []unix.Iovec
	names []unix.RawSockaddrInet6 // large enough for a sockaddr_in too
	pfd   unix.PollFd             // the socket, for ppoll

	// On the poller, the loop waits through polled, a duplicate of fd
	// registered there (nil while the loop waits raw), and its RawConn.
	polled *os.File
	rc     syscall.RawConn
	op     struct { // the read in progress on the poller
		n, got int
		errno  syscall.Errno
	}
	do func(fd uintptr) bool // b.try, made once: a closure per read would allocate

	window  time.Time   // when the current rate window began
	batches int         // read in it
	raw     atomic.Bool // the loop waits raw (for tests)

	stopped atomic.Bool // stop was called: reads end
	mu      sync.Mutex  // guards closed against stop racing close
	closed  bool
}

// newBatchConn takes c's socket over: c is closed, and the socket lives on
// in a descriptor of the batchConn's own (non-blocking, as the net
// package made it) until its close.
func newBatchConn(c *net.UDPConn, size int) (batchConn, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	fd, domain := -1, 0
	var serr error
	if err := rc.Control(func(sfd uintptr) {
		domain, serr = unix.GetsockoptInt(int(sfd), unix.SOL_SOCKET, unix.SO_DOMAIN)
		if serr == nil {
			fd, serr = unix.FcntlInt(sfd, unix.F_DUPFD_CLOEXEC, 0)
		}
	}); err != nil {
		return nil, err
	}
	if serr != nil {
		return nil, serr
	}
	laddr := c.LocalAddr()
	c.Close() // removes the socket from the poller; fd keeps it open
	b := &rawBatchConn{
		fd: fd, laddr: laddr, v6: domain == unix.AF_INET6,
		hdrs: make([]mmsghdr, size), iovs: make([]unix.Iovec, size), names: make([]unix.RawSockaddrInet6, size),
		pfd: unix.PollFd{Fd: int32(fd)},
	}
	b.do = b.try
	if err := b.usePoller(); err != nil {
		unix.Close(fd)
		return nil, err
	}
	takeProc()
	return b, nil
}

// signalsPreempt tells that the runtime preempts goroutines with signals.
var signalsPreempt = !strings.Contains(os.Getenv("GODEBUG"), "asyncpreemptoff=1")

func (b *rawBatchConn) localAddr() net.Addr { return b.laddr }

// stop wakes a serve waiting for a datagram, which then returns
// net.ErrClosed. shutdown(2) wakes a waiter on an unconnected UDP socket
// too (on the poller and in ppoll), although it reports ENOTCONN for one.
func (b *rawBatchConn) stop() {
	b.stopped.Store(true)
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		unix.Shutdown(b.fd, unix.SHUT_RDWR)
	}
}

// close releases the socket and the processor; serve must have returned.
func (b *rawBatchConn) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	if b.polled != nil {
		b.polled.Close()
	}
	unix.Close(b.fd)
	giveProc()
}

// usePoller makes the loop wait on the runtime's poller.
func (b *rawBatchConn) usePoller() error {
	dup, err := unix.FcntlInt(uintptr(b.fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(dup), "udp socket") // registers it: the descriptor is non-blocking
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return err
	}
	b.polled, b.rc = f, rc
	return nil
}

// count adds n batches to the rate window, and at its end changes how the
// loop waits if the rate says so.
func (b *rawBatchConn) count(n int) {
	b.batches += n
	now := time.Now()
	if now.Sub(b.window) < rateWindow {
		return
	}
	switch {
	case b.polled != nil && b.batches >= rawFrom && signalsPreempt:
		b.polled.Close() // out of the poller: each datagram would wake its thread too
		b.polled, b.rc = nil, nil
		b.raw.Store(true)
	case b.polled == nil && b.batches < pollerBelow:
		if err := b.usePoller(); err != nil {
			return // waits raw on; tried again at the window's end
		}
		b.raw.Store(false)
	}
	b.window, b.batches = now, 0
}

// prepare points header i at d's buffer and at name slot i.
func (b *rawBatchConn) prepare(i int, d *datagram) {
	buf := d.buf[:cap(d.buf)]
	b.iovs[i].Base = unsafe.SliceData(buf)
	b.iovs[i].SetLen(len(buf))
	h := &b.hdrs[i].hdr
	*h = unix.Msghdr{Name: (*byte)(unsafe.Pointer(&b.names[i])), Iov: &b.iovs[i]}
	h.Namelen = uint32(unsafe.Sizeof(b.names[i]))
	h.SetIovlen(1)
}

// serve reads batches into ds and hands each to handle, until the socket
// fails or stop is called.
func (b *rawBatchConn) serve(ds []datagram, handle func(n int)) error {
	for {
		for i := range ds {
			b.prepare(i, &ds[i])
		}
		n, err := b.read(len(ds))
		if b.stopped.Load() {
			return net.ErrClosed
		}
		if err != nil {
			return err
		}
		if n == 0 {
			continue // woken, or the way of waiting changed: read again
		}
		for i := range n {
			d, h := &ds[i], &b.hdrs[i]
			d.n = int(h.n)
			d.trunc = h.hdr.Flags&unix.MSG_TRUNC != 0
			d.from, d.scope = sockaddrPeer(&b.names[i])
		}
		handle(n)
		b.count(1)
	}
}

// read reads a batch into the first n headers, waiting until there is
// one (0 is returned when the wait ends without one).
func (b *rawBatchConn) read(n int) (int, error) {
	if b.polled != nil {
		b.op.n, b.op.got, b.op.errno = n, 0, 0
		if err := b.rc.Read(b.do); err != nil {
			return 0, err
		}
		if b.op.errno != 0 {
			return 0, b.op.errno
		}
		return b.op.got, nil
	}
	got, err := b.call(unix.SYS_RECVMMSG, n)
	if err != unix.EAGAIN {
		return got, err
	}
	return 0, b.wait(unix.POLLIN)
}

// try is the poller's read: false asks the RawConn to wait until the
// socket is readable.
func (b *rawBatchConn) try(uintptr) bool {
	if b.stopped.Load() {
		return true // serve sees it
	}
	got, err := b.call(unix.SYS_RECVMMSG, b.op.n)
	if err == unix.EAGAIN {
		return false
	}
	b.op.got, b.op.errno = got, 0
	if e, ok := err.(syscall.Errno); ok {
		b.op.errno = e
	}
	return true
}

func (b *rawBatchConn) writeBatch(ds []datagram) (int, error) {
	if len(ds) == 0 {
		return 0, nil
	}
	for i := range ds {
		b.prepare(i, &ds[i])
		b.iovs[i].SetLen(len(ds[i].buf))
		b.hdrs[i].hdr.Namelen = putSockaddr(&b.names[i], ds[i].from, ds[i].scope, b.v6)
	}
	for {
		n, err := b.call(unix.SYS_SENDMMSG, len(ds))
		if err != unix.EAGAIN {
			return n, err
		}
		// The send buffer is full, which on a UDP socket passes in
		// moments: wait raw, in every mode.
		if err := b.wait(unix.POLLOUT); err != nil {
			return 0, err
		}
	}
}

// call makes the non-blocking system call trap over the first n headers.
func (b *rawBatchConn) call(trap uintptr, n int) (int, error) {
	for {
		r, _, e := syscall.RawSyscall6(trap, uintptr(b.fd), uintptr(unsafe.Pointer(&b.hdrs[0])), uintptr(n), unix.MSG_DONTWAIT, 0, 0)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(r), nil
	}
}

// wait sleeps in a raw ppoll until the socket has events (POLLIN or
// POLLOUT) or a signal comes; the caller tries its call again either way.
func (b *rawBatchConn) wait(events int16) error {
	b.pfd.Events, b.pfd.Revents = events, 0
	_, _, e := syscall.RawSyscall6(unix.SYS_PPOLL, uintptr(unsafe.Pointer(&b.pfd)), 1, 0, 0, 0, 0)
	switch e {
	case 0:
		return nil
	case unix.EINTR:
		// The runtime wants the processor (or this is any other
		// signal): yield, and see whether the rate has dropped.
		runtime.Gosched()
		b.count(0)
		return nil
	}
	return e
}

// procs counts the processors the UDP loops have added to GOMAXPROCS.
var procs struct {
	sync.Mutex
	base  int // GOMAXPROCS without them
	extra int
}

// baseProcs is GOMAXPROCS without the processors the loops have added:
// the processors there are for everything else.
func baseProcs() int {
	procs.Lock()
	defer procs.Unlock()
	if procs.extra == 0 {
		return runtime.GOMAXPROCS(0)
	}
	return procs.base
}

// takeProc adds a processor for a loop's thread.
func takeProc() {
	procs.Lock()
	defer procs.Unlock()
	if procs.extra == 0 {
		procs.base = runtime.GOMAXPROCS(0)
	}
	procs.extra++
	runtime.GOMAXPROCS(procs.base + procs.extra)
}

// giveProc takes the processor of a loop that has ended away again.
func giveProc() {
	procs.Lock()
	defer procs.Unlock()
	procs.extra--
	runtime.GOMAXPROCS(procs.base + procs.extra)
}

// sockaddrPeer reads the peer address the kernel wrote into sa (a
// sockaddr_in or sockaddr_in6), with an IPv6 scope id.
func sockaddrPeer(sa *unix.RawSockaddrInet6) (netip.AddrPort, uint32) {
	port := binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:])
	switch sa.Family {
	case unix.AF_INET:
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa4.Addr), port), 0
	case unix.AF_INET6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), port), sa.Scope_id
	}
	return netip.AddrPort{}, 0
}

// putSockaddr writes to into sa for a socket of the family v6 tells, and
// returns its length.
func putSockaddr(sa *unix.RawSockaddrInet6, to netip.AddrPort, scope uint32, v6 bool) uint32 {
	a := to.Addr()
	if !v6 {
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		*sa4 = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: a.Unmap().As4()}
		binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa4.Port))[:], to.Port())
		return uint32(unsafe.Sizeof(*sa4))
	}
	*sa = unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: a.As16(), Scope_id: scope}
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:], to.Port())
	return uint32(unsafe.Sizeof(*sa))
}
