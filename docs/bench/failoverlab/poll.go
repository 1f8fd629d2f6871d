package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// server is one nameserver polled.
type server struct{ name, addr string }

func parseServers(s string) ([]server, error) {
	var out []server
	for _, part := range strings.Split(s, ",") {
		name, addr, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || name == "" || addr == "" {
			return nil, fmt.Errorf("watch: -servers: %q is not NAME=IP:PORT", part)
		}
		out = append(out, server{name, addr})
	}
	return out, nil
}

// answer is the A records addr gives for name, sorted and joined by
// commas; "" on any failure. It waits at most timeout.
func answer(addr, name string, timeout time.Duration) string {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), dns.TypeA)
	c := &dns.Client{Timeout: timeout}
	r, _, err := c.Exchange(m, addr)
	if err != nil || r.Rcode != dns.RcodeSuccess {
		return ""
	}
	var as []string
	for _, rr := range r.Answer {
		if a, ok := rr.(*dns.A); ok {
			as = append(as, a.A.String())
		}
	}
	slices.Sort(as)
	return strings.Join(as, ",")
}

// maxInFlight bounds the queries firstAnswer has out at once per server.
const maxInFlight = 50

// firstAnswer sends addr a query every interval, without waiting for the
// answers to earlier ones (so that a lost or slow answer does not leave a
// gap), and returns the arrival time of the first answer with want; zero
// if ctx ended first. At most maxInFlight queries are out at once.
func firstAnswer(ctx context.Context, addr, name, want string, every time.Duration) time.Time {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	found := make(chan time.Time, 1)
	slots := make(chan struct{}, maxInFlight)
	var wg sync.WaitGroup
	defer wg.Wait()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case slots <- struct{}{}:
			wg.Go(func() {
				defer func() { <-slots }()
				if answer(addr, name, time.Second) == want {
					select {
					case found <- time.Now():
					default:
					}
				}
			})
		default: // maxInFlight out: skip this tick
		}
		select {
		case at := <-found:
			return at
		case <-ctx.Done():
			return time.Time{}
		case <-t.C:
		}
	}
}

// settle waits until every server answers w.from.
func settle(ctx context.Context, w watchFlags) error {
	for _, s := range w.servers {
		if firstAnswer(ctx, s.addr, w.name, w.from, 10*time.Millisecond).IsZero() {
			return fmt.Errorf("watch %s: %s (%s) does not answer %s with %s before the switch (it answers %q)",
				w.label, s.name, s.addr, w.name, w.from, answer(s.addr, w.name, time.Second))
		}
	}
	return nil
}
