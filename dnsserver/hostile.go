package dnsserver

import (
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/zonerw/zonerw/dnsserver/rrl"
)

// guards are the parts of a Server that protect it from clients that
// lean on it: response rate limiting, the TCP connection limits, the log
// rate limit, DNS cookies, and the clients the config trusts.
type guards struct {
	peers   *peers
	rrl     *rrl.Limiter // nil: rate limiting off
	ratelog *rateLog
	cookies *cookieJar // nil: cookies off
	tcp     tcpRegistry
	nsid    string // hex, as the dns package wants it; "" for none

	flusherOnce sync.Once // starts the rate-limited log's flusher
}

// maxTXT is the longest string a TXT record holds.
const maxTXT = 255

// initGuards builds the guards from s.cfg.Limits and s.zones.
func (s *Server) initGuards() error {
	lim := s.cfg.Limits
	switch {
	case len(lim.Identity) > maxTXT:
		return fmt.Errorf("identity is %d bytes, more than a TXT string holds (%d)", len(lim.Identity), maxTXT)
	case len(lim.Version) > maxTXT:
		return fmt.Errorf("version is %d bytes, more than a TXT string holds (%d)", len(lim.Version), maxTXT)
	case len(lim.CookieSecret) != 0 && len(lim.CookieSecret) != 16:
		return fmt.Errorf("cookie secret is %d bytes, want 16", len(lim.CookieSecret))
	case lim.RateLimit < 0:
		return fmt.Errorf("rate limit %d is negative", lim.RateLimit)
	}
	s.peers = newPeers(s.zones)
	s.ratelog = newRateLog(s.log, lim.LogBurst, lim.LogInterval)
	s.nsid = hex.EncodeToString([]byte(lim.NSID))
	if lim.RateLimit > 0 {
		s.rrl = rrl.New(rrl.Config{Rate: lim.RateLimit, Slip: lim.RateLimitSlip,
			IPv4Prefix: lim.RateLimitIPv4Prefix, IPv6Prefix: lim.RateLimitIPv6Prefix})
	}
	if lim.Cookies {
		s.cookies = newCookieJar(lim.CookieSecret)
	}
	return nil
}
