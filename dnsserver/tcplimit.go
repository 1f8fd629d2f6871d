package dnsserver

import (
	"container/list"
	"net"
	"net/netip"
	"sync"
	"time"
)

// The TCP limits of one listener. Connections are trusted or not:
// trusted are those from an address a keyless transfer rule admits or a
// secondary's, and those that have signed a transfer with an allowed key.
//
//   - An untrusted address holds at most perClient connections.
//   - Untrusted connections share max-reserved slots; trusted ones may
//     take any of the max.
//   - A connection is idle while it waits for its next query (or its
//     first). When a newcomer finds no free slot it may take the slot of
//     the connection idle the longest: any newcomer that of an untrusted
//     one, a trusted newcomer also that of a trusted one. Busy
//     connections (a query or transfer in progress) are never taken.
//   - An untrusted connection may stay idle for the full idle timeout
//     while at most half the slots are taken; beyond, the timeout shrinks
//     with the free slots, down to minIdle when they are all taken.
//
// So no number of idle or slow connections from other addresses keeps a
// secondary, or any client that sends its query, from being served.
type tcpLimiter struct {
	max, reserved, perClient int
	idle, minIdle            time.Duration
	peers                    *peers
	stats                    *counters

	mu        sync.Mutex
	open      int                // connections holding a slot
	untrusted int                // of which untrusted
	perAddr   map[netip.Addr]int // untrusted connections by address
	idleConns [2]list.List       // idle *trackedConn, longest idle first: [untrusted, trusted]
	byRemote  map[netip.AddrPort]*trackedConn
}

// trackedConn is a connection holding a slot of its listener.
type trackedConn struct {
	net.Conn
	l      *tcpLimiter
	remote netip.AddrPort
	once   sync.Once

	// Guarded by l.mu.
	trusted bool
	idleAt  *list.Element // in l.idleConns while waiting for a query
	gone    bool          // its slot was given back (closed or taken)
}

func newTCPLimiter(s *Server) *tcpLimiter {
	lim := s.cfg.Limits
	return &tcpLimiter{
		max: s.cfg.MaxTCPConns, reserved: lim.TCPReservedConns, perClient: lim.MaxTCPConnsPerClient,
		idle: s.cfg.TCPIdleTimeout, minIdle: lim.TCPMinIdleTimeout, peers: s.peers, stats: &s.stats,
		perAddr: make(map[netip.Addr]int), byRemote: make(map[netip.AddrPort]*trackedConn),
	}
}

// admit gives c a slot, taking the slot of an idle connection if it must
// (and closing that one), or returns nil when c must be closed.
func (l *tcpLimiter) admit(c net.Conn) *trackedConn {
	remote := addrPort(c.RemoteAddr())
	addr := remote.Addr()
	trusted := l.peers.trusted(addr)
	l.mu.Lock()
	if !trusted && l.perAddr[addr] >= l.perClient {
		l.mu.Unlock()
		l.stats.tcpRejectedClient.Add(1)
		return nil
	}
	var victim *trackedConn
	if l.open >= l.max || (!trusted && l.untrusted >= l.max-l.reserved) {
		if victim = l.victim(trusted); victim == nil {
			l.mu.Unlock()
			l.stats.tcpRejected.Add(1)
			return nil
		}
		l.release(victim)
	}
	tc := &trackedConn{Conn: c, l: l, remote: remote, trusted: trusted}
	l.open++
	if !trusted {
		l.untrusted++
		l.perAddr[addr]++
	}
	tc.idleAt = l.idleConns[index(trusted)].PushBack(tc)
	l.byRemote[remote] = tc
	l.mu.Unlock()
	if victim != nil {
		l.stats.tcpEvicted.Add(1)
		victim.Conn.Close() // its reader fails and the dns package lets it go
	}
	return tc
}

// victim is the connection idle the longest whose slot a newcomer may
// take, or nil. The caller holds l.mu.
func (l *tcpLimiter) victim(trusted bool) *trackedConn {
	if e := l.idleConns[0].Front(); e != nil {
		return e.Value.(*trackedConn)
	}
	if e := l.idleConns[1].Front(); trusted && e != nil {
		return e.Value.(*trackedConn)
	}
	return nil
}

// release gives tc's slot back, once. The caller holds l.mu.
func (l *tcpLimiter) release(tc *trackedConn) {
	if tc.gone {
		return
	}
	tc.gone = true
	l.open--
	if !tc.trusted {
		l.untrusted--
		l.perAddr[tc.remote.Addr()]--
		if l.perAddr[tc.remote.Addr()] == 0 {
			delete(l.perAddr, tc.remote.Addr())
		}
	}
	l.unidle(tc)
	if l.byRemote[tc.remote] == tc {
		delete(l.byRemote, tc.remote)
	}
}

func (l *tcpLimiter) unidle(tc *trackedConn) {
	if tc.idleAt != nil {
		l.idleConns[index(tc.trusted)].Remove(tc.idleAt)
		tc.idleAt = nil
	}
}

// waiting marks tc idle and returns how long it may wait for its next
// query; false when tc has lost its slot.
func (tc *trackedConn) waiting() (time.Duration, bool) {
	l := tc.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if tc.gone {
		return 0, false
	}
	if tc.idleAt == nil {
		tc.idleAt = l.idleConns[index(tc.trusted)].PushBack(tc)
	}
	if tc.trusted {
		return l.idle, true
	}
	return idleTimeout(l.idle, l.minIdle, l.open, l.max), true
}

// serving marks tc busy, so that no newcomer takes its slot; false when
// it has lost its slot already.
func (tc *trackedConn) serving() bool {
	l := tc.l
	l.mu.Lock()
	defer l.mu.Unlock()
	l.unidle(tc)
	return !tc.gone
}

// trust makes tc trusted: it no longer counts against its address's cap
// or the untrusted slots, and only a trusted newcomer may take its slot.
func (l *tcpLimiter) trust(remote netip.AddrPort) {
	l.mu.Lock()
	defer l.mu.Unlock()
	tc := l.byRemote[remote]
	if tc == nil || tc.gone || tc.trusted {
		return
	}
	idle := tc.idleAt != nil
	l.unidle(tc)
	l.untrusted--
	l.perAddr[remote.Addr()]--
	if l.perAddr[remote.Addr()] == 0 {
		delete(l.perAddr, remote.Addr())
	}
	tc.trusted = true
	if idle {
		tc.idleAt = l.idleConns[1].PushBack(tc)
	}
}

// Close closes the connection and gives its slot back.
func (tc *trackedConn) Close() error {
	tc.once.Do(func() {
		tc.l.mu.Lock()
		tc.l.release(tc)
		tc.l.mu.Unlock()
	})
	return tc.Conn.Close()
}

// count is the number of connections holding a slot.
func (l *tcpLimiter) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

// idleTimeout is how long an untrusted connection may wait for a query
// with open of max slots taken: idle up to half of them, then shrinking
// with the free slots, to minIdle when they are all taken.
func idleTimeout(idle, minIdle time.Duration, open, max int) time.Duration {
	if 2*open <= max {
		return idle
	}
	d := idle * time.Duration(2*(max-open)) / time.Duration(max)
	if d < minIdle {
		return minIdle
	}
	return d
}

func index(trusted bool) int {
	if trusted {
		return 1
	}
	return 0
}

// addrPort is a connection's address, IPv4-mapped addresses unmapped.
func addrPort(a net.Addr) netip.AddrPort {
	if ap, ok := a.(interface{ AddrPort() netip.AddrPort }); ok {
		p := ap.AddrPort()
		return netip.AddrPortFrom(p.Addr().Unmap(), p.Port())
	}
	return netip.AddrPort{}
}

// tcpRegistry is every listener's limiter, so that the handler can trust
// the connection a transfer came in on.
type tcpRegistry struct {
	mu       sync.Mutex
	limiters []*tcpLimiter
}

func (r *tcpRegistry) add(l *tcpLimiter) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.limiters = append(r.limiters, l)
}

// trust makes the connection from remote trusted, on whichever listener
// holds it.
func (r *tcpRegistry) trust(remote netip.AddrPort) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.limiters {
		l.trust(remote)
	}
}

// open is the number of TCP connections holding a slot, all listeners.
func (r *tcpRegistry) open() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, l := range r.limiters {
		n += l.count()
	}
	return n
}
