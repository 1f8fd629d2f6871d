package main

import (
	"net/netip"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/probe"
)

// newProber builds the check of one target of a service from its
// validated config. The target's name matters only to exec checks, which
// pass it on to the command.
func newProber(c config.Check, service, target string) probe.Prober {
	source := sourceAddr(c.Source)
	tlsOpts := probe.TLSOptions{
		Host:               c.Host,
		InsecureSkipVerify: c.InsecureSkipVerify,
		RootCAs:            c.RootCAs,
		MinValid:           c.CertMinValid,
	}
	switch c.Type {
	case "tcp":
		return &probe.TCP{Port: uint16(c.Port), Source: source}
	case "smtp":
		return &probe.SMTP{Port: uint16(c.Port), EHLO: c.EHLO, StartTLS: c.StartTLS, ImplicitTLS: c.ImplicitTLS, TLS: tlsOpts, Source: source}
	case "imap":
		return &probe.IMAP{Port: uint16(c.Port), StartTLS: c.StartTLS, ImplicitTLS: c.ImplicitTLS, TLS: tlsOpts, Source: source}
	case "tls":
		return &probe.TLSHandshake{Port: uint16(c.Port), TLS: tlsOpts, Source: source}
	case "dns":
		return &probe.DNS{Port: uint16(c.Port), Name: dns.Fqdn(c.QueryName), Type: c.QueryTypeCode(), Recurse: c.Recurse, Source: source}
	case "exec":
		return &probe.Exec{Command: c.Command, Service: service, Target: target, Source: source}
	}
	return &probe.HTTP{
		URL:                c.URL,
		Host:               c.Host,
		ExpectStatus:       c.ExpectStatus,
		BodyContains:       c.BodyContains,
		InsecureSkipVerify: c.InsecureSkipVerify,
		RootCAs:            c.RootCAs,
		Source:             source,
	}
}

// newWitnessCheck builds the isolation guard's TCP connect check of one
// witness, from its source address when it has one.
func newWitnessCheck(w config.Witness) failover.Check {
	ap := netip.MustParseAddrPort(w.Address)
	return failover.AddrCheck(w.Name, &probe.TCP{Port: ap.Port(), Source: sourceAddr(w.Source)}, ap.Addr())
}

// sourceAddr reads a source address the config has validated; empty gives
// the zero Addr (no binding).
func sourceAddr(s string) netip.Addr {
	a, _ := netip.ParseAddr(s)
	return a.Unmap()
}
