// Package dnsserver is zonerw's embedded authoritative nameserver.
//
// A Server answers queries for the zones handed to Publish from an immutable
// snapshot swapped atomically, transfers them (AXFR, and IXFR from a bounded
// journal kept on disk) to the addresses and TSIG keys its configuration
// allows, and after each publish sends NOTIFY to every secondary and watches
// them catch up. It never recurses and holds no process-wide state: the
// logger, the clock and the listeners are passed in.
package dnsserver
