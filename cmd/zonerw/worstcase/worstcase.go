// Package worstcase works out, for zonerw check, the longest a client
// may keep seeing a dead target: the probes to notice it, NOTIFY and the
// transfer to the secondaries, and the TTL of what the service's records
// carry (in the zones, as its failover_ttl, or at a provider), plus
// negative caching.
package worstcase

import (
	"fmt"
	"io"
	"maps"
	"net/netip"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/probe"
	"github.com/zonerw/zonerw/templates"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/provider"
	"github.com/zonerw/zonerw/zones/publish"
)

// transferAllowance is what `check` counts for NOTIFY plus the transfer to
// a secondary. Measured on loopback: NSD, Knot and BIND answer the new
// address 3-10 ms after a publish (BIND ~0.5 s right after it loads a
// zone); a second covers a secondary across the Internet too.
const transferAllowance = time.Second

// Print tells, per service, the longest a client may keep seeing
// a dead target: the probes to notice (see detectTime), the transfer to
// the secondaries, and the TTL of the records the service's markers
// render or its provider records carry, plus the negative-caching TTL for
// a client that asked for a name while it did not exist.
func Print(w io.Writer, cfg *config.Config, zs []*publish.Zone, act map[string]templates.Addrs) {
	for _, s := range cfg.Services {
		interval, ok := scheduleInterval(s.Every)
		ttl, negTTL := serviceTTLs(zs, s.Name, act)
		ttl = max(ttl, providerTTL(cfg.Providers, s.Name))
		if s.FailoverTTL > 0 {
			ttl = max(ttl, uint32(s.FailoverTTL/time.Second))
		}
		how := fmt.Sprintf("every %s", interval)
		if !ok {
			how = "the schedule"
		}
		detect, detectText := detectTime(s, interval, how)
		tail := transferAllowance + time.Duration(ttl)*time.Second
		fmt.Fprintf(w, "service %s: clients may see a dead target for up to %s under zonerw serve = %s + NOTIFY/transfer ~%s + TTL %ds",
			s.Name, detect+tail, detectText, transferAllowance, ttl)
		if negTTL > 0 {
			fmt.Fprintf(w, " (plus up to %ds for a client holding a cached negative answer)", negTTL)
		}
		if crash, text, ok := crashTime(s, interval, how); ok {
			fmt.Fprintf(w, "; a server that refuses connections (crashed) is noticed within %s = %s", crash, text)
		}
		fmt.Fprintf(w, "; in cron mode put your cron interval × %d in place of the probe term\n", s.Fall)
	}
}

// detectTime is the longest the probes take to mark a dead target down,
// and how it adds up. The first failing probe comes with the next round
// (interval) and takes up to a probe's time (round); each of the fall-1
// more it needs comes confirm_every after the one before ended (or with
// the next round, if that is sooner) and takes a probe's time again.
// Without confirmation probes that is fall rounds and a probe's time.
func detectTime(s config.Service, interval time.Duration, how string) (time.Duration, string) {
	round, roundText := checkRound(s.Check)
	confirm := s.Confirm()
	if confirm <= 0 || confirm >= interval || s.Fall == 1 {
		return time.Duration(s.Fall)*interval + round, fmt.Sprintf("%s × fall %d + %s", how, s.Fall, roundText)
	}
	d := interval + round + time.Duration(s.Fall-1)*(confirm+round)
	return d, fmt.Sprintf("%s + %s + (fall %d − 1) × (confirm_every %s + %s)", how, roundText, s.Fall, confirm, roundText)
}

// crashTime is detectTime for a target whose probes fail at once, as a
// crashed server's refused connections do; false when it says nothing
// detectTime does not (no confirmation probes).
func crashTime(s config.Service, interval time.Duration, how string) (time.Duration, string, bool) {
	confirm := s.Confirm()
	if confirm <= 0 || confirm >= interval || s.Fall == 1 {
		return 0, "", false
	}
	return interval + time.Duration(s.Fall-1)*confirm, fmt.Sprintf("%s + (fall %d − 1) × confirm_every %s", how, s.Fall, confirm), true
}

// checkRound is the longest one probe can take under zonerw serve, and
// how it adds up: the check's timeout, and for an exec check the grace to
// kill the command and collect its output. Witnesses are probed at the
// same time under the same timeout, so they add nothing.
func checkRound(c config.Check) (time.Duration, string) {
	text := fmt.Sprintf("timeout %s", c.Timeout)
	if c.Type == "exec" {
		text += fmt.Sprintf(" + %s to kill the command", probe.ExecKillGrace)
	}
	return c.RoundTime(), text
}

// scheduleInterval is the time between two runs of spec (the first two
// after now, for cron specs).
func scheduleInterval(spec string) (time.Duration, bool) {
	sched, err := config.ParseSchedule(spec)
	if err != nil {
		return 0, false
	}
	t1 := sched.Next(time.Now())
	return sched.Next(t1).Sub(t1), true
}

// Sentinel addresses stand in for one service's addresses so that its
// marker records can be told apart in a render. They are data, never dialled.
var (
	sentinel4 = netip.MustParseAddr("192.0.2.254")
	sentinel6 = netip.MustParseAddr("2001:db8::fe")
)

// serviceTTLs renders each zone with the service's addresses replaced by
// sentinels and returns the largest TTL of the records its markers make,
// and the largest negative-caching TTL (min of SOA TTL and MINIMUM, RFC
// 2308) of the zones that have such records.
func serviceTTLs(zs []*publish.Zone, service string, act map[string]templates.Addrs) (ttl, neg uint32) {
	probe := maps.Clone(act)
	probe[service] = templates.Addrs{IPv4: []netip.Addr{sentinel4}, IPv6: []netip.Addr{sentinel6}}
	for _, z := range zs {
		text, err := z.Template.Render(templates.Values{Serial: 1, Active: probe})
		if err != nil {
			continue
		}
		parsed, err := zones.Parse(z.Name, z.Template.File(), text, z.Parse)
		if err != nil {
			continue
		}
		found := false
		for _, rr := range parsed.Records {
			if isSentinel(rr) {
				found = true
				ttl = max(ttl, rr.Header().Ttl)
			}
		}
		if found {
			neg = max(neg, min(parsed.SOA.Hdr.Ttl, parsed.SOA.Minttl))
		}
	}
	return ttl, neg
}

func isSentinel(rr dns.RR) bool {
	switch r := rr.(type) {
	case *dns.A:
		ip, _ := netip.AddrFromSlice(r.A.To4())
		return ip == sentinel4
	case *dns.AAAA:
		ip, _ := netip.AddrFromSlice(r.AAAA)
		return ip == sentinel6
	}
	return false
}

// cloudflareAutoTTL is what Cloudflare's "automatic" TTL (1) means: 300s.
const cloudflareAutoTTL = 300

// providerTTL is the largest TTL of the provider records that carry
// service: as configured, else the provider's default.
func providerTTL(ps []config.Provider, service string) uint32 {
	var ttl uint32
	for _, p := range ps {
		for _, r := range p.Records {
			if r.Service != service {
				continue
			}
			d := r.TTL
			if d == 0 {
				d = provider.DefaultTTL(provider.Kind(p.Type))
			}
			secs := uint32(d / time.Second)
			if p.Type == string(provider.Cloudflare) && secs == 1 {
				secs = cloudflareAutoTTL
			}
			ttl = max(ttl, secs)
		}
	}
	return ttl
}
