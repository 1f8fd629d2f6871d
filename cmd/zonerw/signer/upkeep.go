package signer

import (
	"context"
	"log/slog"
	"time"

	"github.com/zonerw/zonerw/zones/dnssec"
	"github.com/zonerw/zonerw/zones/publish"
)

// Upkeep takes the key rollover steps due at now for the signed zones
// (signers), then signs again, with a new serial, every zone whose keys
// changed or whose signatures are due; the daemon runs it every
// minute, cron mode once per run (after the zones are compiled, so
// that the steps wait for the TTLs of the zone as signed).
func Upkeep(ctx context.Context, signers []*Signer, p *publish.Pipeline, log *slog.Logger, now time.Time) []publish.Change {
	for _, s := range signers {
		sg, err := s.Open()
		if err != nil {
			log.Error("dnssec keys", "zone", s.zone, "err", err)
			continue
		}
		var ds dnssec.DSLookup
		if len(s.policy.Parents) > 0 {
			ds = dnssec.QueryParents(s.policy.Parents, 5*time.Second)
		}
		steps, err := sg.Keeper().Advance(ctx, now, ds)
		for _, st := range steps {
			log.Info("dnssec key rollover", "zone", st.Zone, "step", st.What)
		}
		if err != nil {
			log.Warn("dnssec key rollover", "zone", s.zone, "err", err)
		}
	}
	return p.Resign(now)
}
