package failover

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"

	"github.com/zonerw/zonerw/probe"
)

// Check is one named check the loop runs: a service's target, or a
// witness. Run must return once ctx is done.
type Check struct {
	Name string
	Run  func(ctx context.Context) probe.Result
}

// AddrCheck checks addrs with p: the usual way to build a target's Check.
// With more than one address they are checked at the same time and the
// check passes only if every one does; the reason names each address and
// the latency is the slowest.
func AddrCheck(name string, p probe.Prober, addrs ...netip.Addr) Check {
	if len(addrs) == 1 {
		return Check{Name: name, Run: func(ctx context.Context) probe.Result { return p.Probe(ctx, addrs[0]) }}
	}
	return Check{Name: name, Run: func(ctx context.Context) probe.Result {
		results := make([]probe.Result, len(addrs))
		var wg sync.WaitGroup
		for i, a := range addrs {
			// Each address through a Check of its own, so that a panic on
			// this goroutine is recovered as the caller's would be.
			one := Check{Name: name, Run: func(ctx context.Context) probe.Result { return p.Probe(ctx, a) }}
			wg.Go(func() { results[i] = one.run(ctx) })
		}
		wg.Wait()
		all := probe.Result{OK: true}
		var failed, passed []string
		for i, r := range results {
			all.OK = all.OK && r.OK
			all.Latency = max(all.Latency, r.Latency)
			if r.OK {
				passed = append(passed, addrs[i].String()+": "+r.Reason)
			} else {
				failed = append(failed, addrs[i].String()+": "+r.Reason)
			}
		}
		// Failures first: they are what an operator looks for.
		all.Reason = strings.Join(append(failed, passed...), "; ")
		return all
	}}
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
