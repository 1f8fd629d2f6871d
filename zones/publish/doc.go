// Package publish is the zone pipeline of cron mode and of the daemon: it
// renders each zone's template with the active addresses, parses and
// validates the result, chooses the next serial, writes the zone file
// atomically and runs the zone's reload command.
//
// Plan does everything but write, so `zonerw check` and the real run share
// one code path; Apply writes what a plan says.
package publish
