package dnsserver

import (
	"net/netip"
	"time"

	"github.com/miekg/dns"
)

// SecondaryState is what the server knows about one secondary of a zone.
type SecondaryState struct {
	Addr netip.AddrPort
	// Target is the serial last published; the secondary should reach it.
	Target uint32
	// Serial is the serial the secondary last reported, at Seen.
	Serial uint32
	Seen   time.Time
	// Notified is when the NOTIFY for Target was first sent; Acked says
	// whether the secondary acknowledged it.
	Notified time.Time
	Acked    bool
	// CatchUp is the time from Notified until the secondary reported
	// Target (zero until it has).
	CatchUp time.Duration
	// LastError is the last failure talking to the secondary, if any.
	LastError string
	// NotifySent counts the NOTIFY messages sent to the secondary since
	// New, retries included; NotifyAcked the ones it acknowledged (at most
	// one per version); NotifyFailed the versions it acknowledged no
	// NOTIFY for after every attempt. A NOTIFY cancelled by a newer
	// version or by shutdown is neither acknowledged nor failed.
	NotifySent, NotifyAcked, NotifyFailed uint64
}

// SecondaryStatus returns the state of each secondary of zone, in the
// order of the configuration; nil for a zone that is not configured.
func (s *Server) SecondaryStatus(zone string) []SecondaryState {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SecondaryState
	for _, st := range s.status[dns.CanonicalName(zone)] {
		out = append(out, *st)
	}
	return out
}

// update changes the state of one secondary under the lock.
func (s *Server) update(zone string, addr netip.AddrPort, f func(*SecondaryState)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.status[zone] {
		if st.Addr == addr {
			f(st)
		}
	}
}

// updateFor changes the state of one secondary only while it still
// follows target: the work for a version that a newer one replaced must
// not overwrite what is recorded for the newer one.
func (s *Server) updateFor(zone string, addr netip.AddrPort, target uint32, f func(*SecondaryState)) {
	s.update(zone, addr, func(st *SecondaryState) {
		if st.Target == target {
			f(st)
		}
	})
}

// recordError stores err as the secondary's last error.
func (s *Server) recordError(zone string, addr netip.AddrPort, err error) {
	s.update(zone, addr, func(st *SecondaryState) { st.LastError = err.Error() })
}

// recordSerial stores a serial the secondary reported.
func (s *Server) recordSerial(zone string, addr netip.AddrPort, serial uint32) {
	now := s.now()
	s.update(zone, addr, func(st *SecondaryState) { st.Serial, st.Seen = serial, now })
}
