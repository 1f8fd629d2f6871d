package rrl

import (
	"fmt"
	"hash/maphash"
	"net/netip"
	"testing"
	"time"
)

var t0 = time.Unix(1700000000, 0)

// run sends n answers of kind to addr at now and counts the actions.
func run(l *Limiter, addr string, now time.Time, kind Kind, n int) (send, drop, slip int) {
	a := netip.MustParseAddr(addr)
	for range n {
		switch l.Allow(a, now, kind) {
		case Send:
			send++
		case Drop:
			drop++
		case Slip:
			slip++
		}
	}
	return
}

func TestBudget(t *testing.T) {
	tests := []struct {
		name             string
		cfg              Config
		steps            func(l *Limiter) (send, drop, slip int)
		send, drop, slip int
	}{
		{"burst of one second's worth, then every 2nd slipped", Config{Rate: 10, Slip: 2},
			func(l *Limiter) (int, int, int) { return run(l, "192.0.2.1", t0, Positive, 30) }, 10, 10, 10},
		{"slip 1 truncates every limited answer", Config{Rate: 10, Slip: 1},
			func(l *Limiter) (int, int, int) { return run(l, "192.0.2.1", t0, Positive, 30) }, 10, 0, 20},
		{"slip 0 drops every limited answer", Config{Rate: 10, Slip: 0},
			func(l *Limiter) (int, int, int) { return run(l, "192.0.2.1", t0, Positive, 30) }, 10, 20, 0},
		{"refills at the rate", Config{Rate: 10, Slip: 0},
			func(l *Limiter) (int, int, int) {
				run(l, "192.0.2.1", t0, Positive, 10) // empties the bucket
				return run(l, "192.0.2.1", t0.Add(300*time.Millisecond), Positive, 10)
			}, 3, 7, 0},
		{"saves at most one second", Config{Rate: 10, Slip: 0},
			func(l *Limiter) (int, int, int) {
				run(l, "192.0.2.1", t0, Positive, 10)
				return run(l, "192.0.2.1", t0.Add(time.Hour), Positive, 30)
			}, 10, 20, 0},
		{"a /24 shares one budget", Config{Rate: 10, Slip: 0},
			func(l *Limiter) (int, int, int) {
				run(l, "192.0.2.1", t0, Positive, 10)
				return run(l, "192.0.2.200", t0, Positive, 5)
			}, 0, 5, 0},
		{"another /24 has its own", Config{Rate: 10, Slip: 0},
			func(l *Limiter) (int, int, int) {
				run(l, "192.0.2.1", t0, Positive, 10)
				return run(l, "192.0.3.1", t0, Positive, 5)
			}, 5, 0, 0},
		{"a /56 shares one budget", Config{Rate: 10, Slip: 0},
			func(l *Limiter) (int, int, int) {
				run(l, "2001:db8:0:1::1", t0, Positive, 10)
				return run(l, "2001:db8:0:ff::2", t0, Positive, 5)
			}, 0, 5, 0},
		{"another /56 has its own", Config{Rate: 10, Slip: 0},
			func(l *Limiter) (int, int, int) {
				run(l, "2001:db8:0:1::1", t0, Positive, 10)
				return run(l, "2001:db8:0:100::1", t0, Positive, 5)
			}, 5, 0, 0},
		{"IPv4-mapped is the IPv4 prefix", Config{Rate: 10, Slip: 0},
			func(l *Limiter) (int, int, int) {
				run(l, "::ffff:192.0.2.1", t0, Positive, 10)
				return run(l, "192.0.2.9", t0, Positive, 5)
			}, 0, 5, 0},
		{"each kind has its own budget", Config{Rate: 10, Slip: 0},
			func(l *Limiter) (int, int, int) {
				run(l, "192.0.2.1", t0, NXDomain, 10)
				return run(l, "192.0.2.1", t0, Positive, 5)
			}, 5, 0, 0},
		{"configured prefix length", Config{Rate: 10, Slip: 0, IPv4Prefix: 32},
			func(l *Limiter) (int, int, int) {
				run(l, "192.0.2.1", t0, Positive, 10)
				return run(l, "192.0.2.2", t0, Positive, 5)
			}, 5, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			send, drop, slip := tt.steps(New(tt.cfg))
			if send != tt.send || drop != tt.drop || slip != tt.slip {
				t.Errorf("send %d drop %d slip %d, want %d %d %d", send, drop, slip, tt.send, tt.drop, tt.slip)
			}
		})
	}
}

// sameSet returns n IPv4 addresses, each in its own /24, whose buckets
// fall in one set of l (a table of one set per shard).
func sameSet(l *Limiter, n int) []netip.Addr {
	var out []netip.Addr
	for i := 0; len(out) < n; i++ {
		a := netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 1})
		if maphash.Comparable(l.seed, l.keyOf(a, Positive))%shards == 0 {
			out = append(out, a)
		}
	}
	return out
}

// TestTableTakeover: when a new prefix needs a bucket in a full set, it
// takes over the quietest one, not one still limiting its prefix; and the
// table never grows, however many prefixes there are.
func TestTableTakeover(t *testing.T) {
	l := New(Config{Rate: 10, Buckets: ways * shards}) // one set per shard
	addrs := sameSet(l, ways+1)
	busy, quiet, late := addrs[0], addrs[1:ways], addrs[ways]
	run(l, busy.String(), t0, Positive, 10) // empty: limited for a second
	for _, a := range quiet {
		l.Allow(a, t0, Positive) // one answer each: quiet again 100ms later
	}
	now := t0.Add(50 * time.Millisecond)
	if a := l.Allow(late, now, Positive); a != Send {
		t.Fatalf("new prefix in a full set: %v, want Send", a)
	}
	if a := l.Allow(busy, now, Positive); a == Send {
		t.Errorf("the limited prefix lost its bucket to a newcomer")
	}
	for i := range 100000 {
		l.Allow(netip.AddrFrom4([4]byte{11, byte(i >> 16), byte(i >> 8), byte(i)}), now, Positive)
	}
	for i := range l.shards {
		if n := len(l.shards[i].sets); n != 1 {
			t.Fatalf("shard %d has %d sets, want 1", i, n)
		}
	}
}

func BenchmarkAllow(b *testing.B) {
	l := New(Config{Rate: 200, Slip: 2})
	addrs := make([]netip.Addr, 1024)
	for i := range addrs {
		addrs[i] = netip.MustParseAddr(fmt.Sprintf("10.%d.%d.1", i/256, i%256))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		l.Allow(addrs[i%len(addrs)], t0.Add(time.Duration(i)*time.Microsecond), Positive)
		i++
	}
}
