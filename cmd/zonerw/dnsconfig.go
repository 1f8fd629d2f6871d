package main

import (
	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/dnsserver"
)

// dnsZone is a zone's transfer policy and secondaries as the nameserver
// takes them. Entries without a key keep the meaning they always had
// beside transfer_keys (the config refuses entries with a key beside it).
func dnsZone(z config.Zone) dnsserver.ZoneConfig {
	zc := dnsserver.ZoneConfig{Name: z.Name, TransferKeys: z.TransferKeys}
	for _, r := range z.AllowTransfer {
		from, _ := config.ParseTransferFrom(r.From) // validated
		if r.Key == "" {
			zc.AllowTransfer = append(zc.AllowTransfer, from)
		} else {
			zc.Transfer = append(zc.Transfer, dnsserver.TransferRule{From: from, Key: r.Key})
		}
	}
	for _, s := range z.Secondaries {
		zc.Secondaries = append(zc.Secondaries, dnsserver.Secondary{Addr: mustAddrPort(s.Address), Key: s.Key})
	}
	return zc
}

// dnsLimits sets the nameserver's limits and identity answers in dc from
// the server section.
func dnsLimits(s config.Server, dc *dnsserver.Config) {
	slip := s.RateLimitSlip
	if slip == 0 {
		slip = -1 // the config's 0, drop them all; dnsserver's 0 is its default
	}
	dc.MaxTCPConns = s.TCPMaxConnections
	dc.TCPIdleTimeout = s.TCPIdleTimeout
	dc.Limits = dnsserver.Limits{
		RateLimit: s.RateLimit, RateLimitSlip: slip, MaxTCPConnsPerClient: s.TCPMaxPerClient,
		NSID: s.NSID, Identity: s.Identity, Version: s.Version, Cookies: s.Cookies,
	}
}
