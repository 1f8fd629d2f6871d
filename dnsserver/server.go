package dnsserver

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// Server is the authoritative nameserver. Build it with New, hand it
// listeners with Start, zones with Publish, and stop it with Shutdown.
type Server struct {
	cfg   Config
	log   *slog.Logger
	keys  *keyring
	zones map[string]*ZoneConfig // by canonical name

	snap  atomic.Pointer[snapshot]
	stats counters

	publishMu sync.Mutex    // serialises Publish
	transfers transferWatch // wakes catch-up polls when a transfer ends

	ctx     context.Context // cancelled by Shutdown; parents NOTIFY work
	cancel  context.CancelFunc
	wg      sync.WaitGroup // every goroutine the server starts
	closing atomic.Bool

	mu           sync.Mutex // guards the fields below
	servers      []*dns.Server
	udp          []*udpLoop
	notifyCancel map[string]context.CancelFunc
	// notifyGate holds NOTIFYs back while it is open (HoldNotify), so that
	// versions handed over before the listeners are bound are announced
	// once a secondary can fetch them; closed otherwise.
	notifyGate chan struct{}
	status     map[string][]*SecondaryState // by zone, in config order

	guards // limits against hostile traffic (hostile.go)
}

// Handler is what the listeners call; Server implements it.
var _ dns.Handler = (*Server)(nil)

// New checks cfg and builds a Server serving no zone yet. Until a zone's
// first Publish, queries for it are answered SERVFAIL (it is configured,
// just not loaded), never REFUSED.
func New(cfg Config, log *slog.Logger) (*Server, error) {
	cfg = cfg.withDefaults()
	keys, err := newKeyring(cfg.Keys)
	if err != nil {
		return nil, fmt.Errorf("dns server config: %w", err)
	}
	zs, err := zoneTable(cfg.Zones, keys)
	if err != nil {
		return nil, fmt.Errorf("dns server config: %w", err)
	}
	s := &Server{
		cfg: cfg, log: log, keys: keys, zones: zs,
		notifyCancel: make(map[string]context.CancelFunc),
		notifyGate:   closedGate(),
		status:       make(map[string][]*SecondaryState),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if err := s.initGuards(); err != nil {
		return nil, fmt.Errorf("dns server config: %w", err)
	}
	s.snap.Store(&snapshot{})
	s.stats.zones = make(map[string]*zoneCounts, len(zs))
	for name, z := range zs {
		s.stats.zones[name] = new(zoneCounts)
		for _, sec := range z.Secondaries {
			s.status[name] = append(s.status[name], &SecondaryState{Addr: sec.Addr})
		}
	}
	return s, nil
}

func (s *Server) now() time.Time { return s.cfg.Now() }

// Serial returns the serial of the served version of zone, and false when
// the zone has not been published.
func (s *Server) Serial(zone string) (uint32, bool) {
	ix := s.snap.Load().zones[canonical(zone)]
	if ix == nil {
		return 0, false
	}
	return ix.serial(), true
}

// remoteAddr is the client's address, or the zero Addr when unknown.
func remoteAddr(w dns.ResponseWriter) netip.Addr {
	if a, ok := w.RemoteAddr().(interface{ AddrPort() netip.AddrPort }); ok {
		return a.AddrPort().Addr().Unmap()
	}
	return netip.Addr{}
}

// canonical is a zone name fully qualified and in lower case.
func canonical(zone string) string { return dns.CanonicalName(zone) }
