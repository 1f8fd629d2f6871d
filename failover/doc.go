// Package failover decides, per service, which target is active, and runs
// the scheduled loop that feeds it.
//
// The Engine keeps consecutive probe results per target against rise/fall
// thresholds and picks the first target in config order that is up, subject
// to a failback delay, a flap governor, an all-down policy, an isolation
// guard (witnesses) and operator pins. It touches no files and no sockets:
// results come in as values, decisions and events go out as values.
//
// The Loop probes each service on its cron schedule, hands the results to
// the Engine and passes the decisions of a short window to a Publisher in
// one call.
package failover
