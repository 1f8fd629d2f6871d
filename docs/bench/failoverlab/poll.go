package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
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
// commas; "" on any failure.
func answer(addr, name string) string {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), dns.TypeA)
	c := &dns.Client{Timeout: 200 * time.Millisecond}
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

// firstAnswer polls addr every interval and returns when it first
// answered want (the time its answer arrived); zero if ctx ended first.
func firstAnswer(ctx context.Context, addr, name, want string, every time.Duration) time.Time {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if answer(addr, name) == want {
			return time.Now()
		}
		select {
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
				w.label, s.name, s.addr, w.name, w.from, answer(s.addr, w.name))
		}
	}
	return nil
}
