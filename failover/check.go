package failover

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/zonerw/zonerw/probe"
)

// Check is one named check the loop runs: a service's target, or a
// witness. Run must return once ctx is done.
type Check struct {
	Name string
	Run  func(ctx context.Context) probe.Result
}

// AddrCheck checks addr with p: the usual way to build a target's Check.
func AddrCheck(name string, p probe.Prober, addr netip.Addr) Check {
	return Check{Name: name, Run: func(ctx context.Context) probe.Result { return p.Probe(ctx, addr) }}
}

// run runs the check and turns a panic into a failed result, so one bad
// check cannot take the daemon down.
func (c Check) run(ctx context.Context) (r probe.Result) {
	defer func() {
		if p := recover(); p != nil {
			r = probe.Result{Reason: fmt.Sprintf("check panicked: %v", p)}
		}
	}()
	return c.Run(ctx)
}
