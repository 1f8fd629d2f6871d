package provider

import "time"

// drifted records what a read-back found: every target checked either
// holds what was published (its standing drift is over) or has drifted
// (drift[i] is about drifted[i]). A drift that was not put back stands
// until a later read-back or publish finds the record in sync. It sets
// each drift's Tell: a drift put back, new or changed is told at once, a
// standing one again DriftRemindEvery after it was last told.
func (b *statusBox) drifted(ts, drifted []target, drift []Drift, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.touched = true
	found := map[int]Drift{}
	for i, t := range drifted {
		rs := &b.s.Records[t.index]
		text := drift[i].String()
		drift[i].Tell = drift[i].Fixed || rs.Drift != text || now.Sub(rs.DriftToldAt) >= DriftRemindEvery
		if drift[i].Fixed {
			continue
		}
		if drift[i].Tell {
			rs.DriftToldAt = now
		}
		found[t.index] = drift[i]
	}
	for _, t := range ts {
		rs := &b.s.Records[t.index]
		d, ok := found[t.index]
		if !ok {
			rs.Drift, rs.DriftSince, rs.DriftToldAt = "", time.Time{}, time.Time{}
			continue
		}
		rs.Drift = d.String()
		if rs.DriftSince.IsZero() {
			rs.DriftSince = d.At
		}
	}
}

// settled records that every target holds what was published, as a
// successful publish leaves them: their standing drift is over.
func (b *statusBox) settled(ts []target) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, t := range ts {
		rs := &b.s.Records[t.index]
		rs.Drift, rs.DriftSince, rs.DriftToldAt = "", time.Time{}, time.Time{}
	}
}
