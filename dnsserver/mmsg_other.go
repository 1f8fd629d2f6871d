//go:build !linux

package dnsserver

import (
	"net"
	"runtime"
	"syscall"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// Elsewhere than Linux, batches go through golang.org/x/net's ReadBatch
// and WriteBatch (one datagram per call where the system has no
// recvmmsg).

type xnetConn interface {
	ReadBatch(ms []ipv4.Message, flags int) (int, error)
	WriteBatch(ms []ipv4.Message, flags int) (int, error)
}

type xnetBatchConn struct {
	conn *net.UDPConn
	c    xnetConn
	ms   []ipv4.Message
}

func newBatchConn(c *net.UDPConn, size int) (batchConn, error) {
	b := &xnetBatchConn{conn: c, ms: make([]ipv4.Message, size)}
	for i := range b.ms {
		b.ms[i].Buffers = [][]byte{nil}
	}
	if a, ok := c.LocalAddr().(*net.UDPAddr); ok && a.IP.To4() != nil {
		b.c = ipv4.NewPacketConn(c)
	} else {
		b.c = ipv6.NewPacketConn(c)
	}
	return b, nil
}

func (b *xnetBatchConn) serve(ds []datagram, handle func(n int)) error {
	for {
		n, err := b.readBatch(ds)
		if err != nil {
			return err
		}
		handle(n)
	}
}

func (b *xnetBatchConn) readBatch(ds []datagram) (int, error) {
	ms := b.ms[:len(ds)]
	for i := range ds {
		ms[i].Buffers[0] = ds[i].buf[:cap(ds[i].buf)]
	}
	n, err := b.c.ReadBatch(ms, 0)
	for i := range n {
		ua, _ := ms[i].Addr.(*net.UDPAddr)
		if ua == nil {
			ds[i].n, ds[i].trunc = 0, true // not a UDP peer: dropped
			continue
		}
		ds[i].n, ds[i].trunc, ds[i].from = ms[i].N, ms[i].Flags&syscall.MSG_TRUNC != 0, ua.AddrPort()
	}
	return n, err
}

func (b *xnetBatchConn) writeBatch(ds []datagram) (int, error) {
	ms := b.ms[:len(ds)]
	for i := range ds {
		ms[i].Buffers[0], ms[i].Addr = ds[i].buf, net.UDPAddrFromAddrPort(ds[i].from)
	}
	return b.c.WriteBatch(ms, 0)
}

func (b *xnetBatchConn) stop()               { b.conn.Close() } // the read in progress fails
func (b *xnetBatchConn) close()              {}
func (b *xnetBatchConn) localAddr() net.Addr { return b.conn.LocalAddr() }

// baseProcs is GOMAXPROCS (the loops here wait on the poller and add no
// processors).
func baseProcs() int { return runtime.GOMAXPROCS(0) }
