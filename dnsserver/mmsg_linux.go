//go:build linux

package dnsserver

import (
	"encoding/binary"
	"net"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// On Linux a UDP socket's batches are read and written with recvmmsg and
// sendmmsg made as raw system calls, on the non-blocking socket, inside
// the net package's RawConn (which parks the loop on the poller when
// there is nothing to read).
//
// A raw call skips the runtime's bookkeeping around a system call. That
// matters at a moderate rate of queries, where each datagram wakes the
// loop on its own: the runtime wakes its monitor thread (sysmon) at every
// system call made while it sleeps, a context switch that, measured here,
// cost as much as answering the query. Both calls are non-blocking
// (MSG_DONTWAIT), so they cannot hold up the thread. golang.org/x/net's
// ReadBatch does the same work with ordinary system calls, and allocates
// a net.UDPAddr per datagram besides.

// mmsghdr is struct mmsghdr of <sys/socket.h>.
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

// rawBatchConn is a batchConn over one UDP socket.
type rawBatchConn struct {
	rc    syscall.RawConn
	v6    bool // an AF_INET6 socket: peers are written as sockaddr_in6
	hdrs  []mmsghdr
	iovs  []unix.Iovec
	names []unix.RawSockaddrInet6 // large enough for a sockaddr_in too

	// The system call in progress, and the function the RawConn runs
	// for it, made once: a closure made per call escapes to the heap
	// through the RawConn, which was two allocations per read and per
	// write. One goroutine, the socket's loop, makes every call.
	op struct {
		trap  uintptr
		n     int
		got   int
		errno syscall.Errno
	}
	do func(fd uintptr) bool
}

func newBatchConn(c *net.UDPConn, size int) (batchConn, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	b := &rawBatchConn{rc: rc, hdrs: make([]mmsghdr, size), iovs: make([]unix.Iovec, size), names: make([]unix.RawSockaddrInet6, size)}
	b.do = b.try
	var serr error
	if err := rc.Control(func(fd uintptr) {
		var domain int
		domain, serr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_DOMAIN)
		b.v6 = domain == unix.AF_INET6
	}); err != nil {
		return nil, err
	}
	if serr != nil {
		return nil, serr
	}
	return b, nil
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
// fails or is closed.
func (b *rawBatchConn) serve(ds []datagram, handle func(n int)) error {
	for {
		for i := range ds {
			b.prepare(i, &ds[i])
		}
		n, err := b.call(false, unix.SYS_RECVMMSG, len(ds))
		if err != nil {
			return err
		}
		for i := range n {
			d, h := &ds[i], &b.hdrs[i]
			d.n = int(h.n)
			d.trunc = h.hdr.Flags&unix.MSG_TRUNC != 0
			d.from, d.scope = sockaddrPeer(&b.names[i])
		}
		handle(n)
	}
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
	return b.call(true, unix.SYS_SENDMMSG, len(ds))
}

// call makes the system call trap over the first n headers when the
// socket is ready to read (or to write, when write is set); the RawConn
// parks the loop on the poller until it is.
func (b *rawBatchConn) call(write bool, trap uintptr, n int) (int, error) {
	b.op.trap, b.op.n, b.op.got, b.op.errno = trap, n, 0, 0
	var err error
	if write {
		err = b.rc.Write(b.do)
	} else {
		err = b.rc.Read(b.do)
	}
	if err != nil {
		return 0, err
	}
	if b.op.errno != 0 {
		return 0, b.op.errno
	}
	return b.op.got, nil
}

// try makes b.op's call on fd; false asks the RawConn to wait until
// the socket is ready.
func (b *rawBatchConn) try(fd uintptr) bool {
	for {
		r, _, e := syscall.RawSyscall6(b.op.trap, fd, uintptr(unsafe.Pointer(&b.hdrs[0])), uintptr(b.op.n), unix.MSG_DONTWAIT, 0, 0)
		switch e {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false // not ready: wait on the poller
		}
		b.op.got, b.op.errno = int(r), e
		return true
	}
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
