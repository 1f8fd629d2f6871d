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
// Secondaries load a change within milliseconds of its NOTIFY, so the
// polls start a few milliseconds apart and grow slowly (see pollWait); a
// transfer of the zone that ends meanwhile (the secondary fetching the
// change) brings the next poll forward at once. The time is then right
// to within a poll interval: about 10 ms for a secondary that catches up
// within its first seconds. It reports whether the secondary caught up.
func (s *Server) catchUp(ctx context.Context, zone string, sec Secondary, target uint32, start time.Time) bool {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Notify.CatchUpTimeout)
	defer cancel()
	wait := time.Duration(0)
	for {
		transferred := s.transfers.wait(zone)
		serial, err := s.querySerial(ctx, zone, sec)
		if err == nil && !serialLess(serial, target) {
			s.caughtUp(zone, sec, serial, target, start)
			return true
		}
		wait = s.cfg.Notify.pollWait(wait, s.now().Sub(start))
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-transferred:
			t.Stop()
			wait = 0 // the secondary has the change: ask again now, and soon after
		case <-ctx.Done():
			t.Stop()
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				err = fmt.Errorf("secondary %s did not reach serial %d of zone %s within %s", sec.Addr, target, zone, s.cfg.Notify.CatchUpTimeout)
				s.log.Warn("secondary behind", "zone", zone, "secondary", sec.Addr.String(), "err", err)
				s.updateFor(zone, sec.Addr, target, func(st *SecondaryState) { st.LastError = err.Error() })
			}
			return false
		}
	}
}

// caughtUp records that the secondary serves target (it reported serial),
// start being when the NOTIFY was first sent.
func (s *Server) caughtUp(zone string, sec Secondary, serial, target uint32, start time.Time) {
	took := s.now().Sub(start)
	s.updateFor(zone, sec.Addr, target, func(st *SecondaryState) { st.CatchUp, st.LastError = took, "" })
	s.log.Info("secondary caught up", "zone", zone, "secondary", sec.Addr.String(), "serial", serial, "after", took)
}

// recheck follows a secondary that acknowledged no NOTIFY of soa, or did
// not reach its serial within the catch-up timeout (it is down, or its
// transfers fail): it asks the secondary's serial again every Recheck,
// doubling up to RecheckMax, and at once when a transfer of the zone
// ends, and sends the NOTIFY again at each timed round (a NOTIFY taken
// is followed by the catch-up polls), until the secondary serves the
// serial or a newer version (or shutdown) ends it.
// A secondary that comes back thus leaves the status, the metrics and
// the alerts as soon as it has the zone, and one that never asks on its
// own is told again.
func (s *Server) recheck(ctx context.Context, zone string, sec Secondary, soa *dns.SOA, start time.Time) {
	wait := s.cfg.Notify.Recheck
	for {
		transferred := s.transfers.wait(zone)
		t := time.NewTimer(wait)
		timed := false
		select {
		case <-t.C:
			timed = true
		case <-transferred:
			t.Stop()
		case <-ctx.Done():
			t.Stop()
			return
		}
		serial, err := s.querySerial(ctx, zone, sec)
		if err == nil && !serialLess(serial, soa.Serial) {
			s.caughtUp(zone, sec, serial, soa.Serial, start)
			return
		}
		if timed {
			if s.notifyOnce(ctx, zone, sec, soa) == nil {
				// Taken now: it fetches the zone within moments, which
				// the catch-up polls see (and a transfer's end wakes).
				s.acked(zone, sec, soa.Serial)
				if s.catchUp(ctx, zone, sec, soa.Serial, start) {
					return
				}
			}
			wait = min(wait*2, s.cfg.Notify.RecheckMax)
		}
	}
}

// pollWait is the wait before the next catch-up poll after one of last
// (0 before the second poll), elapsed after the NOTIFY: from
// FirstPoll, half as long again each time, at most FastPoll during
// FastFor, then doubling up to PollInterval.
func (c NotifyConfig) pollWait(last, elapsed time.Duration) time.Duration {
	switch {
	case last == 0:
		return c.FirstPoll
	case elapsed < c.FastFor:
		return min(last*3/2, c.FastPoll)
	}
	return min(max(last*2, c.FastPoll), c.PollInterval)
}

// transferWatch tells the catch-up polls of a zone that a transfer of it
// ended: each wait gets a channel closed at the next one.
type transferWatch struct {
	mu sync.Mutex
	ch map[string]chan struct{} // by zone
}

// wait returns a channel closed when the next transfer of zone ends.
func (w *transferWatch) wait(zone string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ch == nil {
		w.ch = map[string]chan struct{}{}
	}
	c := w.ch[zone]
	if c == nil {
		c = make(chan struct{})
		w.ch[zone] = c
	}
	return c
}

// ended wakes the waits on zone.
func (w *transferWatch) ended(zone string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c := w.ch[zone]; c != nil {
		close(c)
		delete(w.ch, zone)
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
