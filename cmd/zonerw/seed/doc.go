// The state file and the stored zones are written one after the other,
// so a kill between them, or a state file lost or damaged, leaves the
// stored zones holding a newer decision than the state file: the service
// moved to backup, its zone was stored and served, and then zonerw died
// before the state file said so. Started from the state file alone, the
// engine would point the service back at main (down, as far as anyone
// knows) until the probes moved it again, fall rounds later.
//
// FromStored reads instead, from each stored zone newer than the
// state file's record of it (or, with none stored, the zone's output
// file), which target each service's address records point at, and
// starts the service there, with the targets above it counted down (that
// is why it had moved): main must then pass rise probes before the
// service goes back. The flap governor gets back the switches audit.log
// recorded within its window (see restoreSwitches). The other services,
// and everything else in the state (counters, pins, holds), stay as the
// state file says.
package seed
