// Package failover decides, per service, which targets are served, and
// runs the scheduled loop that feeds it.
//
// The Engine keeps consecutive probe results per target against rise/fall
// thresholds and picks the first target in config order that is up (or,
// for a pool, every target that is up), subject to a failback delay, a
// flap governor, an all-down policy, an isolation guard (witnesses),
// operator pins and failover drills. It touches no files and no sockets:
// results come in as values, decisions and events go out as values.
//
// The Loop probes each service on its schedule, starting every round on
// time, and probes a target whose last result disagreed with its state
// again every ConfirmEvery until rise or fall decides; the witnesses are
// probed beside the targets. It hands the results to the Engine and passes
// the decisions of a short window to a Publisher in one call.
package failover
