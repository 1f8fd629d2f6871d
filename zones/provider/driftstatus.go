package provider

import "time"

// drifted records what a read-back found: every target checked either
// holds what was published (its standing drift is over) or has drifted
// (drift[i] is about drifted[i]). A drift that was not put back stands
// until a later read-back or publish finds the record in sync.
func (b *statusBox) drifted(ts, drifted []target, drift []Drift) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.touched = true
	found := map[int]Drift{}
	for i, t := range drifted {
		if !drift[i].Fixed {
			found[t.index] = drift[i]
		}
	}
	for _, t := range ts {
		rs := &b.s.Records[t.index]
		d, ok := found[t.index]
		if !ok {
			rs.Drift, rs.DriftSince = "", time.Time{}
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
		rs.Drift, rs.DriftSince = "", time.Time{}
	}
}
