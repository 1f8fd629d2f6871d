// Package statedir owns zonerw's state directory: state.json (File: read,
// set aside and rebuilt when damaged, written whole or, in the daemon, in
// the background by a Saver with the newest state winning), the lock that
// keeps two zonerw processes from interleaving, and where the zone store
// keeps each zone's snapshot and journal.
package statedir
