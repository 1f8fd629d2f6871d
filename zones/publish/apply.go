package publish

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/zonerw/zonerw/zones"
)

// Result is what Apply did to one zone.
type Result struct {
	Written bool      // a new version was made (and written, if the zone has a file)
	Reload  error     // the reload command failed (the file is written)
	State   ZoneState // what to remember for the next run
}

// Apply writes a plan's file, if the plan says so, and runs the reload
// command when the file was written or a previous reload failed. An error
// means nothing was written and prev is still the truth.
func Apply(ctx context.Context, p *Plan, prev ZoneState, now time.Time) (Result, error) {
	res := Result{State: prev}
	if p.Changed || p.Missing {
		if err := write(p); err != nil {
			return res, err
		}
		res.Written = true
		res.State = ZoneState{ZoneState: zones.ZoneState{Serial: p.Serial, Digest: p.Parsed.Digest(), Written: now}}
		res.State.ReloadPending = prev.ReloadPending
	}
	if (res.Written || prev.ReloadPending) && len(p.Zone.Reload.Command) > 0 {
		res.Reload = runReload(ctx, p.Zone)
		res.State.ReloadPending = res.Reload != nil
	}
	return res, nil
}

// write puts the plan's text in the zone's file, if it has one.
func write(p *Plan) error {
	if p.Zone.Output == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p.Zone.Output), 0o755); err != nil {
		return fmt.Errorf("zone %s: output directory: %w", p.Zone.Name, err)
	}
	if err := zones.WriteFile(p.Zone.Output, p.Text, 0o644); err != nil {
		return fmt.Errorf("zone %s: %w", p.Zone.Name, err)
	}
	return nil
}
