// Package dnsserver is zonerw's embedded authoritative nameserver.
//
// A Server answers queries for the zones handed to Publish from an immutable
// snapshot swapped atomically, transfers them (AXFR, and IXFR from a bounded
// journal kept on disk) to the addresses and TSIG keys its configuration
// allows, and after each publish sends NOTIFY to every secondary and watches
// them catch up. It never recurses and holds no process-wide state: the
// logger, the clock and the listeners are passed in.
//
// Against clients that lean on it (Config.Limits, hostile.go): response
// rate limiting per client prefix (package rrl, applied to the finished
// answer in limit.go), TCP connection limits (tcplimit.go), log lines
// rate-limited per message (ratelog.go), DNS cookies (cookie.go), and
// FORMERR for messages whose sections do not hold what their header
// counts (wirecheck.go, before the dns package parses them).
package dnsserver
