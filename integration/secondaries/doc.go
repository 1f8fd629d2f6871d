// Package secondaries proves zonerw's nameserver against the secondaries
// people run: its tests start real NSD, Knot and BIND on loopback with
// temporary configurations, serve a zone to them from an in-process
// dnsserver.Server, and check the initial AXFR, NOTIFY followed by IXFR
// (with and without TSIG) and the refusal of a wrong key.
package secondaries
