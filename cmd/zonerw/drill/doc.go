// Package drill runs zonerw serve's failover drills, those asked for with
// zonerw drill and those the config schedules: a drill moves a service to
// its next target through the engine, publishes, watches every
// destination follow (the embedded nameserver, the output file, each
// secondary, each provider), hands the service back when its time is up
// (or at once when a real failure ends it, or at shutdown), watches them
// follow back, and files a failover.DrillReport with how long each took.
//
// The daemon hands a Runner what it needs as a Daemon, a set of
// functions; the package holds no reference to the daemon itself.
package drill
