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
	// MaxTCPConns caps concurrent TCP connections per listener (default 256);
	// connections over the cap are closed at once.
	MaxTCPConns int
	// TCPIdleTimeout closes a TCP connection idle that long (default 10s).
	TCPIdleTimeout time.Duration
	// MaxQuerySize is the largest query accepted, in bytes (default 4096).
	MaxQuerySize int
	// Notify tunes NOTIFY and the catch-up check.
	Notify NotifyConfig
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// ZoneConfig is one served zone's transfer policy and secondaries.
type ZoneConfig struct {
	// Name is the zone apex ("example.com.").
	Name string
	// AllowTransfer lists the client networks allowed to transfer the zone.
	AllowTransfer []netip.Prefix
	// TransferKeys lists the TSIG key names allowed to transfer the zone.
	// When both lists are set a transfer needs an allowed address and an
	// allowed key; when both are empty nobody may transfer the zone.
	TransferKeys []string
	// Secondaries get a NOTIFY after each publish.
	Secondaries []Secondary
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
	// PollInterval is the wait between two SOA polls (default 1s).
	PollInterval time.Duration
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
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
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
