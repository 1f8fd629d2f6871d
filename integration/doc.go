// Package integration holds end-to-end tests: the real zonerw binary, real
// HTTP servers on loopback, and the real zone checkers and nameservers that
// users run beside it. Sub-packages hold the tests that need daemons.
package integration
