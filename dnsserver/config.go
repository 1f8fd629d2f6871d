package dnsserver

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/miekg/dns"
)

// Config is what a Server needs. Zero values take the defaults named on
// each field.
type Config struct {
	// Zones lists every zone the server may serve; Publish rejects others.
	Zones []ZoneConfig
	// Keys are the TSIG keys that ZoneConfig.TransferKeys and
	// Secondary.Key refer to by name.
	Keys []Key
	// UDPSize is the EDNS buffer size the server advertises and the largest
	// UDP answer it sends (default 1232).
	UDPSize uint16
	// MaxTCPConns caps concurrent TCP connections per listener (default
	// 256). A newcomer over the cap takes the slot of the connection idle
	// the longest, or is closed at once (see Limits and tcplimit.go).
	MaxTCPConns int
	// TCPIdleTimeout closes a TCP connection idle that long (default
	// 10s); it shrinks as the slots fill up (Limits.TCPMinIdleTimeout).
	TCPIdleTimeout time.Duration
	// MaxQuerySize is the largest query accepted, in bytes (default 4096).
	MaxQuerySize int
	// Notify tunes NOTIFY and the catch-up check.
	Notify NotifyConfig
	// Now is the clock (default time.Now).
	Now func() time.Time

	// Limits and protocol details for an internet-facing server; see
	// docs/reliability.md. Their zero values leave each one off or at
	// the default named.
	Limits Limits
}

// Limits protect the server from clients that lean on it, and set the
// optional identity answers.
type Limits struct {
	// RateLimit is the number of UDP answers per second each client
	// prefix may get per kind of answer (response rate limiting); 0 turns
	// it off. TCP clients, clients with a valid DNS cookie and clients a
	// transfer rule admits are not limited.
	RateLimit int
	// RateLimitSlip sends every Nth limited answer truncated (TC=1, no
	// records), so that a real client retries over TCP, and drops the
	// others (default 2; -1 drops them all, 1 truncates them all).
	RateLimitSlip int
	// RateLimitIPv4Prefix and RateLimitIPv6Prefix are the client prefix
	// lengths sharing one budget (default 24 and 56).
	RateLimitIPv4Prefix, RateLimitIPv6Prefix int

	// MaxTCPConnsPerClient caps the TCP connections of one client address
	// (default 16); trusted clients (see TCPReservedConns) are not capped.
	MaxTCPConnsPerClient int
	// TCPReservedConns of each listener's MaxTCPConns are kept for
	// trusted clients: those a keyless transfer rule admits, the
	// secondaries, and a connection that has signed a transfer with an
	// allowed key (default MaxTCPConns/8, at least 1; -1 for none).
	TCPReservedConns int
	// TCPMinIdleTimeout is what the idle timeout shrinks to as a
	// listener's connections fill up (default 500ms, at most
	// TCPIdleTimeout).
	TCPMinIdleTimeout time.Duration

	// LogBurst lines per reason are logged in each LogInterval; the rest
	// are counted and summed up in one line (default 5 per 10s).
	LogBurst    int
	LogInterval time.Duration

	// NSID is sent to clients that ask for it (RFC 5001); empty: none.
	NSID string
	// Identity answers CHAOS TXT id.server and hostname.bind (RFC 4892);
	// empty: REFUSED.
	Identity string
	// Version answers CHAOS TXT version.bind and version.server; empty:
	// REFUSED.
	Version string
	// Cookies turns on DNS server cookies (RFC 7873, RFC 9018).
	Cookies bool
	// CookieSecret is the 16-byte server secret; empty: a random one.
	CookieSecret []byte
}

// ZoneConfig is one served zone's transfer policy and secondaries.
type ZoneConfig struct {
	// Name is the zone apex ("example.com.").
	Name string
	// AllowTransfer lists the client networks allowed to transfer the zone.
	AllowTransfer []netip.Prefix
	// TransferKeys lists the TSIG key names allowed to transfer the zone.
	// When both lists are set a transfer needs an allowed address and an
	// allowed key; when both are empty (and so is Transfer) nobody may
	// transfer the zone.
	TransferKeys []string
	// Transfer lists rules that each say who may transfer the zone and
	// how; a transfer is allowed when any one rule, or the two lists
	// above, admit it.
	Transfer []TransferRule
	// Secondaries get a NOTIFY after each publish.
	Secondaries []Secondary

	rules []TransferRule // the whole policy, built by zoneTable
}

// Secondary is a nameserver that transfers a zone from this server.
type Secondary struct {
	// Addr is where NOTIFY and SOA queries go.
	Addr netip.AddrPort
	// Key names the TSIG key signing NOTIFY and SOA queries; empty for none.
	Key string
}

// NotifyConfig tunes NOTIFY retries and the catch-up check.
type NotifyConfig struct {
	// Attempts bounds the NOTIFY sends per secondary and change (default 5).
	Attempts int
	// Backoff is the wait before the first retry, doubled after each one
	// and jittered by up to half (default 1s).
	Backoff time.Duration
	// MaxBackoff caps the wait between retries (default 30s).
	MaxBackoff time.Duration
	// Timeout bounds one NOTIFY or SOA exchange (default 2s).
	Timeout time.Duration
	// CatchUpTimeout is how long to poll a secondary's SOA for the new
	// serial after it acknowledged the NOTIFY (default 5m).
	CatchUpTimeout time.Duration
	// FirstPoll is the wait before the second SOA poll of the catch-up
	// check (default 2ms); each wait after it is half as long again, at
	// most FastPoll (default 10ms) during the first FastFor (default 5s)
	// after the NOTIFY, then doubling up to PollInterval (default 1s).
	FirstPoll, FastPoll, FastFor time.Duration
	PollInterval                 time.Duration
	// Recheck is how long after the NOTIFYs went unacknowledged, or the
	// catch-up timed out, the secondary is asked its serial again and
	// sent the NOTIFY again (default 30s); the wait doubles each time up
	// to RecheckMax (default 10m). A transfer of the zone that ends
	// brings the question forward.
	Recheck, RecheckMax time.Duration
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	setDefault(&c.UDPSize, 1232)
	setDefault(&c.MaxTCPConns, 256)
	setDefault(&c.TCPIdleTimeout, 10*time.Second)
	setDefault(&c.MaxQuerySize, 4096)
	setDefault(&c.Notify.Attempts, 5)
	setDefault(&c.Notify.Backoff, time.Second)
	setDefault(&c.Notify.MaxBackoff, 30*time.Second)
	setDefault(&c.Notify.Timeout, 2*time.Second)
	setDefault(&c.Notify.CatchUpTimeout, 5*time.Minute)
	setDefault(&c.Notify.PollInterval, time.Second)
	setDefault(&c.Notify.FirstPoll, 2*time.Millisecond)
	setDefault(&c.Notify.FastPoll, 10*time.Millisecond)
	setDefault(&c.Notify.FastFor, 5*time.Second)
	setDefault(&c.Notify.Recheck, 30*time.Second)
	setDefault(&c.Notify.RecheckMax, 10*time.Minute)
	c.Notify.RecheckMax = max(c.Notify.RecheckMax, c.Notify.Recheck)
	c.Notify.FirstPoll = min(c.Notify.FirstPoll, c.Notify.PollInterval)
	c.Notify.FastPoll = min(max(c.Notify.FastPoll, c.Notify.FirstPoll), c.Notify.PollInterval)
	c.Limits = c.Limits.withDefaults(c.MaxTCPConns, c.TCPIdleTimeout)
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// withDefaults fills the limits left at zero; maxConns and idle are the
// server's (defaulted) MaxTCPConns and TCPIdleTimeout.
func (l Limits) withDefaults(maxConns int, idle time.Duration) Limits {
	setDefault(&l.RateLimitSlip, 2)
	setDefault(&l.RateLimitIPv4Prefix, 24)
	setDefault(&l.RateLimitIPv6Prefix, 56)
	setDefault(&l.MaxTCPConnsPerClient, 16)
	setDefault(&l.TCPReservedConns, max(1, maxConns/8))
	setDefault(&l.TCPMinIdleTimeout, 500*time.Millisecond)
	l.TCPMinIdleTimeout = min(l.TCPMinIdleTimeout, idle)
	l.TCPReservedConns = min(max(l.TCPReservedConns, 0), maxConns)
	setDefault(&l.LogBurst, 5)
	setDefault(&l.LogInterval, 10*time.Second)
	return l
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// zoneTable validates the zone list against the keys and indexes it by
// canonical zone name.
func zoneTable(zs []ZoneConfig, keys *keyring) (map[string]*ZoneConfig, error) {
	out := make(map[string]*ZoneConfig, len(zs))
	for i := range zs {
		z := zs[i]
		name := dns.CanonicalName(z.Name)
		if _, ok := dns.IsDomainName(name); !ok || z.Name == "" {
			return nil, fmt.Errorf("zones[%d]: name %q is not a domain name", i, z.Name)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("zones[%d]: zone %s listed twice", i, name)
		}
		for j, k := range z.TransferKeys {
			if !keys.has(k) {
				return nil, fmt.Errorf("zones[%d] (%s): transfer_keys[%d]: unknown key %q", i, name, j, k)
			}
		}
		z.rules = z.transferRules()
		if err := checkRules(z.Transfer, keys); err != nil {
			return nil, fmt.Errorf("zones[%d] (%s): %w", i, name, err)
		}
		for j, s := range z.Secondaries {
			if !s.Addr.IsValid() {
				return nil, fmt.Errorf("zones[%d] (%s): secondaries[%d]: no address", i, name, j)
			}
			if s.Key != "" && !keys.has(s.Key) {
				return nil, fmt.Errorf("zones[%d] (%s): secondaries[%d]: unknown key %q", i, name, j, s.Key)
			}
		}
		z.Name = name
		out[name] = &z
	}
	return out, nil
}
