// Package rrl is response rate limiting for an authoritative nameserver
// in the style of NSD, Knot and BIND: each client prefix (a /24 for
// IPv4, a /56 for IPv6 by default) has a token bucket per kind of answer,
// refilled at the configured rate. An answer over the budget is dropped,
// except every Nth (the slip), which is sent truncated so that a real
// client, whose address was not spoofed, retries over TCP and gets its
// answer there.
//
// The table of buckets has a fixed size, so a flood from many (spoofed)
// sources cannot grow it: when a set of buckets is full, the one that has
// been quiet the longest is taken over.
package rrl

import (
	"hash/maphash"
	"net/netip"
	"sync"
	"time"
)

// Kind is the kind of answer a bucket counts. Each kind of a prefix has
// its own budget, as in BIND: a resolver's NXDOMAIN flood does not starve
// its positive answers, and the reverse.
type Kind uint8

const (
	Positive Kind = iota // NOERROR with records in the answer section
	NoData               // NOERROR, nothing for the type asked
	NXDomain             // the name does not exist
	Referral             // a delegation
	Error                // any other rcode: REFUSED, FORMERR, NOTAUTH, ...
	numKinds
)

var kindNames = [numKinds]string{"positive", "nodata", "nxdomain", "referral", "error"}

// String names the kind as metrics and logs show it.
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "unknown"
}

// Action is what to do with one answer.
type Action uint8

const (
	Send Action = iota // within the budget: send the answer
	Drop               // over the budget: send nothing
	Slip               // over the budget: send it truncated, without records
)

// Config sizes a Limiter. Zero values take the defaults named.
type Config struct {
	// Rate is the number of answers per second of each kind a prefix
	// gets; it is also the burst (one second's worth). It must be > 0.
	Rate int
	// Slip: every Slip-th limited answer is sent truncated; 0 or less
	// drops them all.
	Slip int
	// IPv4Prefix and IPv6Prefix are the prefix lengths that share one
	// budget (default 24 and 56).
	IPv4Prefix, IPv6Prefix int
	// Buckets is the size of the table (default 32768); memory is about
	// 40 bytes a bucket.
	Buckets int
}

const (
	ways   = 4  // buckets one key may use: the table is 4-way set associative
	shards = 64 // independent locks
)

// Limiter decides, per answer, whether the client's prefix is within its
// budget. It is safe for concurrent use.
type Limiter struct {
	interval int64 // nanoseconds of budget one answer costs: 1s/Rate
	burst    int64 // nanoseconds of budget a bucket can save: 1s
	slip     uint32
	v4, v6   int
	seed     maphash.Seed
	shards   [shards]shard
}

type shard struct {
	mu   sync.Mutex
	sets [][ways]bucket
}

// bucket is one prefix's budget for one kind, as a GCRA: tat is the
// "theoretical arrival time" (Unix nanoseconds) after which the bucket is
// full again.
type bucket struct {
	key     key
	used    bool
	tat     int64
	limited uint32 // answers over the budget, for the slip
}

type key struct {
	addr [16]byte // the masked prefix, IPv4 as IPv4-mapped
	kind Kind
}

// New returns a Limiter for c.
func New(c Config) *Limiter {
	if c.Rate <= 0 {
		c.Rate = 1
	}
	if c.IPv4Prefix <= 0 || c.IPv4Prefix > 32 {
		c.IPv4Prefix = 24
	}
	if c.IPv6Prefix <= 0 || c.IPv6Prefix > 128 {
		c.IPv6Prefix = 56
	}
	if c.Buckets <= 0 {
		c.Buckets = 32768
	}
	l := &Limiter{
		interval: int64(time.Second) / int64(c.Rate),
		burst:    int64(time.Second),
		slip:     uint32(max(c.Slip, 0)),
		v4:       c.IPv4Prefix, v6: c.IPv6Prefix,
		seed: maphash.MakeSeed(),
	}
	sets := max(1, c.Buckets/(ways*shards))
	for i := range l.shards {
		l.shards[i].sets = make([][ways]bucket, sets)
	}
	return l
}

// Allow spends one answer of kind from the budget of addr's prefix at
// now, and says what to do with the answer.
func (l *Limiter) Allow(addr netip.Addr, now time.Time, kind Kind) Action {
	k := l.keyOf(addr, kind)
	h := maphash.Comparable(l.seed, k)
	sh := &l.shards[h%shards]
	t := now.UnixNano()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	b := sh.find(k, h/shards, t)
	tat := max(b.tat, t) + l.interval
	if tat-t <= l.burst {
		b.tat = tat
		return Send
	}
	b.limited++
	if l.slip > 0 && b.limited%l.slip == 0 {
		return Slip
	}
	return Drop
}

// keyOf is addr's prefix and the kind.
func (l *Limiter) keyOf(addr netip.Addr, kind Kind) key {
	addr = addr.Unmap()
	bits := l.v6
	if addr.Is4() {
		bits = l.v4
	}
	p, err := addr.Prefix(bits)
	if err != nil { // the zero Addr: all such clients share one budget
		return key{kind: kind}
	}
	return key{addr: netip.AddrFrom16(p.Addr().As16()).As16(), kind: kind}
}

// find returns k's bucket in its set, taking over the bucket that has
// been quiet the longest (the smallest tat; an unused one has 0) when k
// has none. A taken-over bucket whose tat is past was full anyway, so
// nothing is lost unless every bucket of the set is busy.
func (sh *shard) find(k key, h uint64, now int64) *bucket {
	set := &sh.sets[h%uint64(len(sh.sets))]
	oldest := &set[0]
	for i := range set {
		b := &set[i]
		if b.used && b.key == k {
			return b
		}
		if b.tat < oldest.tat {
			oldest = b
		}
	}
	*oldest = bucket{key: k, used: true, tat: now}
	return oldest
}
