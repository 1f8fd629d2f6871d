package dnsserver

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// catchUp polls the secondary's SOA until it reports target or the
// catch-up timeout passes, recording the time from start (the NOTIFY).
func (s *Server) catchUp(ctx context.Context, zone string, sec Secondary, target uint32, start time.Time) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Notify.CatchUpTimeout)
	defer cancel()
	for {
		serial, err := s.querySerial(ctx, zone, sec)
		if err == nil && !serialLess(serial, target) {
			took := s.now().Sub(start)
			s.updateFor(zone, sec.Addr, target, func(st *SecondaryState) { st.CatchUp, st.LastError = took, "" })
			s.log.Info("secondary caught up", "zone", zone, "secondary", sec.Addr.String(), "serial", serial, "after", took)
			return
		}
		if err := sleep(ctx, s.cfg.Notify.PollInterval); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("secondary %s did not reach serial %d of zone %s within %s", sec.Addr, target, zone, s.cfg.Notify.CatchUpTimeout)
				s.log.Warn("secondary behind", "zone", zone, "secondary", sec.Addr.String(), "err", err)
				s.updateFor(zone, sec.Addr, target, func(st *SecondaryState) { st.LastError = err.Error() })
			}
			return
		}
	}
}

// querySerial asks the secondary for the zone's SOA and records the serial.
func (s *Server) querySerial(ctx context.Context, zone string, sec Secondary) (uint32, error) {
	m := new(dns.Msg)
	m.SetQuestion(zone, dns.TypeSOA)
	m.RecursionDesired = false
	r, err := s.exchange(ctx, m, sec)
	if err == nil {
		for _, rr := range r.Answer {
			if soa, ok := rr.(*dns.SOA); ok && dns.CanonicalName(soa.Hdr.Name) == zone {
				s.recordSerial(zone, sec.Addr, soa.Serial)
				return soa.Serial, nil
			}
		}
		err = fmt.Errorf("secondary %s has no soa for zone %s (%s)", sec.Addr, zone, dns.RcodeToString[r.Rcode])
	}
	s.recordError(zone, sec.Addr, err)
	return 0, err
}

// QuerySecondarySerials asks every secondary of zone for its serial, in
// parallel. The map holds the secondaries that answered; the error joins
// the failures of the others. Use it at start-up so that the first
// publish uses a serial above every one seen.
func (s *Server) QuerySecondarySerials(ctx context.Context, zone string) (map[string]uint32, error) {
	name := dns.CanonicalName(zone)
	zc := s.zones[name]
	if zc == nil {
		return nil, fmt.Errorf("query secondary serials: zone %s is not configured", name)
	}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		out  = make(map[string]uint32)
		errs []error
	)
	for _, sec := range zc.Secondaries {
		wg.Go(func() {
			serial, err := s.querySerial(ctx, name, sec)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			out[sec.Addr.String()] = serial
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}
