package probe

import (
	"context"
	"fmt"
	"net"
	"net/netip"
)

// dialer returns a dialer that binds source when it is set, so the probe
// leaves from that address instead of the one the kernel would pick.
func dialer(source netip.Addr, network string) *net.Dialer {
	d := &net.Dialer{}
	if !source.IsValid() {
		return d
	}
	ip := source.Unmap().AsSlice()
	switch network {
	case "udp":
		d.LocalAddr = &net.UDPAddr{IP: ip}
	default:
		d.LocalAddr = &net.TCPAddr{IP: ip}
	}
	return d
}

// checkAddrs says why a probe from source to addr cannot be made: no
// address, or a source of the other address family.
func checkAddrs(source, addr netip.Addr) error {
	if !addr.IsValid() {
		return fmt.Errorf("no address to probe")
	}
	if source.IsValid() && source.Unmap().Is4() != addr.Unmap().Is4() {
		return fmt.Errorf("source %s and target %s are of different address families", source.Unmap(), addr.Unmap())
	}
	return nil
}

// dialConn opens a TCP connection from source to addr:port and ties it to
// ctx: its deadline becomes the connection's, and when ctx ends early the
// connection is closed, so that a read or write blocked on a silent server
// returns at once. The returned stop must be called once the connection is
// no longer used.
func dialConn(ctx context.Context, source, addr netip.Addr, port uint16) (net.Conn, func(), error) {
	target := netip.AddrPortFrom(addr.Unmap(), port)
	conn, err := dialer(source, "tcp").DialContext(ctx, "tcp", target.String())
	if err != nil {
		return nil, nil, err
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	return conn, func() { stop(); _ = conn.Close() }, nil
}
