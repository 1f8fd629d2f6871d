package main

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
)

// verifySources tells whether every source address in cfg is one of this
// host's, for zonerw check: a probe cannot leave from any other.
func verifySources(cfg *config.Config) error {
	local, err := localPrefixes()
	if err != nil {
		return fmt.Errorf("list this host's addresses: %w", err)
	}
	return cfg.VerifySourcesLocal(local)
}

// localPrefixes are the addresses of this host's interfaces, each with its
// prefix length.
func localPrefixes() ([]netip.Prefix, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, err
	}
	var out []netip.Prefix
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(n.IP)
		if !ok {
			continue
		}
		ones, _ := n.Mask.Size()
		ip = ip.Unmap()
		if ip.Is4() && ones > 32 {
			ones -= 96
		}
		out = append(out, netip.PrefixFrom(ip, ones))
	}
	return out, nil
}

// checkSummary is the check part of zonerw check's line for a service:
// "http check", "smtp check from 192.0.2.5".
func checkSummary(c config.Check) string {
	if c.Source == "" {
		return c.Type + " check"
	}
	return c.Type + " check from " + c.Source
}
