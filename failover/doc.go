// Package failover decides, per service, which target is active. It keeps
// consecutive probe results per target against rise/fall thresholds and
// picks the first target in config order that is up. It touches no files
// and no sockets: results come in as values, decisions go out as values.
package failover
