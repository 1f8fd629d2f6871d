package provider

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
)

// Plan returns, as one line each, the changes Publish would make now and
// the provider calls behind them, without making them. The lines do not
// repeat the provider's name; the caller says which provider it is. It reads the zone
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
		steps := planSteps(p.inPlace(), t.want, t.rec.TTL, live[t.key()])
		proxied := live.proxied(t.rec)
		if len(steps) == 0 {
			lines = append(lines, fmt.Sprintf("%s: unchanged %v", p.label(t.rec), t.want))
		}
		for _, s := range steps {
			lines = append(lines, fmt.Sprintf("%s (%s)", p.describe(t.rec, s, proxied), p.calls(t.rec, s, proxied)))
		}
		changes += len(steps)
	}
	if changes > 0 {
		lines = append(lines, fmt.Sprintf("then read the zone %s back and verify", p.cfg.Zone))
	}
	return lines, terr
}
