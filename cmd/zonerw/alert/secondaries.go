package alert

import (
	"fmt"
	"time"

	"github.com/zonerw/zonerw/dnsserver"
)

// SecondaryWatch turns the nameserver's view of its secondaries into
// alerts, once per secondary and published serial: one that has not
// reported the serial BehindAfter after its NOTIFY is stuck behind; one
// that has not acknowledged the NOTIFY NotifyAfter after it was sent,
// with an error on record, is failing. Not safe for concurrent use.
type SecondaryWatch struct {
	BehindAfter time.Duration // zero means 5m
	NotifyAfter time.Duration // zero means 1m
	alerted     map[watchKey]uint32
}

type watchKey struct {
	zone, addr string
	kind       Kind
}

// Check returns the alerts zone's secondaries call for at now.
func (w *SecondaryWatch) Check(zone string, secs []dnsserver.SecondaryState, now time.Time) []Event {
	if w.alerted == nil {
		w.alerted = map[watchKey]uint32{}
	}
	behindAfter := orDefault(w.BehindAfter, 5*time.Minute)
	notifyAfter := orDefault(w.NotifyAfter, time.Minute)
	var out []Event
	for _, s := range secs {
		if s.Target == 0 || s.Serial == s.Target || s.Notified.IsZero() {
			continue
		}
		since := now.Sub(s.Notified)
		if !s.Acked && s.LastError != "" && since >= notifyAfter {
			out = append(out, w.once(zone, s, NotifyFailing, now,
				fmt.Sprintf("no acknowledgement for serial %d after %s: %s", s.Target, since.Round(time.Second), s.LastError))...)
		}
		if since >= behindAfter {
			out = append(out, w.once(zone, s, SecondaryBehind, now,
				fmt.Sprintf("serial %d, want %d, %s after the NOTIFY", s.Serial, s.Target, since.Round(time.Second)))...)
		}
	}
	return out
}

// once returns the alert unless it was already raised for this serial.
func (w *SecondaryWatch) once(zone string, s dnsserver.SecondaryState, kind Kind, now time.Time, reason string) []Event {
	k := watchKey{zone, s.Addr.String(), kind}
	if got, ok := w.alerted[k]; ok && got == s.Target {
		return nil
	}
	w.alerted[k] = s.Target
	return []Event{{Kind: kind, Zone: zone, Secondary: k.addr, Reason: reason, At: now}}
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
