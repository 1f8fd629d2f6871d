package dnsserver

import (
	"context"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones/crashpoint"
)

// HoldNotify keeps the NOTIFYs of versions published from now on from
// going out until ReleaseNotify: a start hands the nameserver its stored
// versions before the listeners are bound, and a secondary that heard of
// one then would find nothing to transfer from (Knot then waits for its
// next retry, minutes later).
func (s *Server) HoldNotify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.notifyGate:
		s.notifyGate = make(chan struct{})
	default: // held already
	}
}

// ReleaseNotify sends the NOTIFYs HoldNotify kept back, and lets later
// ones go at once.
func (s *Server) ReleaseNotify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.notifyGate:
	default:
		close(s.notifyGate)
	}
}

func closedGate() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}

// startNotify tells every secondary of the zone about the version ix and
// follows them until they catch up, cancelling the work still running for
// the zone's previous version.
func (s *Server) startNotify(zc *ZoneConfig, ix *zoneIndex) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		return
	}
	if cancel := s.notifyCancel[ix.origin]; cancel != nil {
		cancel()
	}
	ctx, cancel := context.WithCancel(s.ctx)
	s.notifyCancel[ix.origin] = cancel
	gate := s.notifyGate
	for _, sec := range zc.Secondaries {
		s.wg.Go(func() {
			select {
			case <-gate:
			case <-ctx.Done():
				return
			}
			s.follow(ctx, ix.origin, sec, ix.soa())
		})
	}
}

// follow notifies one secondary of soa's serial, then polls it until it
// serves that serial. One that acknowledges no NOTIFY, or does not catch
// up in time, is asked again at a slower pace (recheck) until it does,
// so that what is reported of it ends when it is over.
func (s *Server) follow(ctx context.Context, zone string, sec Secondary, soa *dns.SOA) {
	start := s.now()
	s.update(zone, sec.Addr, func(st *SecondaryState) {
		// The follower of a newer version may have run first.
		if st.Target == 0 || serialLess(st.Target, soa.Serial) {
			st.Target, st.Notified, st.Acked, st.CatchUp, st.LastError = soa.Serial, start, false, 0, ""
		}
	})
	if err := s.notify(ctx, zone, sec, soa); err != nil {
		// Cancelled by a newer version or by shutdown: not a failure.
		failed := ctx.Err() == nil
		if failed {
			s.log.Warn("notify failed", "zone", zone, "secondary", sec.Addr.String(), "err", err)
		}
		s.update(zone, sec.Addr, func(st *SecondaryState) {
			if failed {
				st.NotifyFailed++
			}
		})
		s.updateFor(zone, sec.Addr, soa.Serial, func(st *SecondaryState) { st.LastError = err.Error() })
		if failed {
			s.recheck(ctx, zone, sec, soa, start)
		}
		return
	}
	s.acked(zone, sec, soa.Serial)
	if !s.catchUp(ctx, zone, sec, soa.Serial, start) && ctx.Err() == nil {
		s.recheck(ctx, zone, sec, soa, start)
	}
}

// acked records that the secondary acknowledged the NOTIFY of serial.
func (s *Server) acked(zone string, sec Secondary, serial uint32) {
	s.update(zone, sec.Addr, func(st *SecondaryState) { st.NotifyAcked++ })
	s.updateFor(zone, sec.Addr, serial, func(st *SecondaryState) { st.Acked = true })
}

// notify sends NOTIFY until the secondary acknowledges it or the attempts
// run out, waiting a jittered, doubling backoff (cenkalti's exponential
// backoff) between attempts. A transfer of the zone that ends meanwhile
// (a secondary that came back and fetched it on its own, perhaps this
// one) cuts the wait short.
func (s *Server) notify(ctx context.Context, zone string, sec Secondary, soa *dns.SOA) error {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval, b.Multiplier = s.cfg.Notify.Backoff, s.cfg.Notify.MaxBackoff, 2
	for attempt := 1; ; attempt++ {
		transferred := s.transfers.wait(zone)
		err := s.notifyOnce(ctx, zone, sec, soa)
		if err == nil {
			return nil
		}
		s.updateFor(zone, sec.Addr, soa.Serial, func(st *SecondaryState) { st.LastError = err.Error() })
		if attempt >= s.cfg.Notify.Attempts {
			return fmt.Errorf("notify %s of zone %s serial %d: no acknowledgement after %d attempts: %w",
				sec.Addr, zone, soa.Serial, attempt, err)
		}
		if err := sleepOr(ctx, b.NextBackOff(), transferred); err != nil {
			return fmt.Errorf("notify %s of zone %s serial %d: %w", sec.Addr, zone, soa.Serial, err)
		}
	}
}

// notifyOnce sends one NOTIFY and checks the secondary acknowledged it.
func (s *Server) notifyOnce(ctx context.Context, zone string, sec Secondary, soa *dns.SOA) error {
	m := new(dns.Msg)
	m.SetNotify(zone)
	m.Answer = []dns.RR{soa}
	s.update(zone, sec.Addr, func(st *SecondaryState) { st.NotifySent++ })
	crashpoint.Hit(crashpoint.NotifySending, zone)
	r, err := s.exchange(ctx, m, sec)
	if err != nil {
		return err
	}
	if r.Rcode != dns.RcodeSuccess {
		return fmt.Errorf("secondary %s answered notify of zone %s with %s", sec.Addr, zone, dns.RcodeToString[r.Rcode])
	}
	crashpoint.Hit(crashpoint.NotifyAcked, zone)
	return nil
}

// exchange sends m to the secondary over UDP, signed with its key if it
// has one, within the configured timeout.
func (s *Server) exchange(ctx context.Context, m *dns.Msg, sec Secondary) (*dns.Msg, error) {
	if sec.Key != "" {
		m.SetTsig(dns.CanonicalName(sec.Key), s.keys.algorithm(sec.Key), 300, s.now().Unix())
	}
	c := &dns.Client{Net: "udp", Timeout: s.cfg.Notify.Timeout, TsigProvider: s.keys}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Notify.Timeout)
	defer cancel()
	r, _, err := c.ExchangeContext(ctx, m, sec.Addr.String())
	if err != nil {
		return nil, fmt.Errorf("%s to %s: %w", dns.OpcodeToString[m.Opcode], sec.Addr, err)
	}
	return r, nil
}

// sleepOr waits d, or until wake is closed (nil: never), or until ctx
// is done.
func sleepOr(ctx context.Context, d time.Duration, wake <-chan struct{}) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-wake:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
