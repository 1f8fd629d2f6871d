package provider

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
)

// Plan returns, as one line each, the changes Publish would make now and
// the provider calls behind them, without making them. It reads the zone
// (GET requests only) to know what differs.
func (p *Publisher) Plan(ctx context.Context, want map[string][]netip.Addr) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ts, terr := p.targets(want)
	var live liveSet
	err := p.retry(ctx, "plan", func(ctx context.Context) (err error) {
		live, err = p.read(ctx)
		return err
	})
	if err != nil {
		return nil, errors.Join(err, terr)
	}
	var lines []string
	changes := 0
	for _, t := range ts {
		steps := planSteps(p.inPlace(), t.want, live[t.key()])
		if len(steps) == 0 {
			lines = append(lines, fmt.Sprintf("%s: %s: unchanged %v", p.cfg.Name, p.label(t.rec), t.want))
		}
		for _, s := range steps {
			lines = append(lines, fmt.Sprintf("%s: %s (%s)", p.cfg.Name, p.describe(t.rec, s), p.calls(t.rec, s)))
		}
		changes += len(steps)
	}
	if changes > 0 {
		lines = append(lines, fmt.Sprintf("%s: then read the zone %s back and verify", p.cfg.Name, p.cfg.Zone))
	}
	return lines, terr
}
