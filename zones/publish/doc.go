// Package publish is the path from a failover decision to every place a
// zone is published, for cron mode and the daemon alike.
//
// A zone's template is compiled once (at load, reload and --force) into a
// zones.Base and the slots its markers fill (Compile). After that a
// decision costs the size of the change: Pipeline.Publish makes each
// zone's next version by filling the slots with the addresses the
// services serve now, gives it the next serial, records the change in the
// zone's journal (zones/store) and only then offers it to the zone's
// destinations and the value destinations (providers).
//
// Each destination has a worker of its own: its own deadline per attempt,
// retries with exponential backoff (Retry-After honoured in full), and
// "latest wins": a worker that fell behind delivers the newest version,
// not every one in between. A destination that hangs or fails is reported
// under its own name and delays nothing else.
package publish
