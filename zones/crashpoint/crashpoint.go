// Package crashpoint names the steps of a publish at which a test build
// of zonerw can be killed, to prove that a crash at any of them loses
// nothing that was promised.
//
// The normal build compiles Hit to nothing. A binary built with
// `-tags crashpoints` reads two environment variables at start:
//
//	ZONERW_CRASH_AT=POINT:N    SIGKILL the process at the N-th time (from 1)
//	                           it reaches POINT
//	ZONERW_CRASH_TRACE=FILE    append "POINT N WHAT" to FILE each time a
//	                           point is reached (and "kill POINT N WHAT"
//	                           just before the kill)
//
// The crash-point harness (integration/crashpoints_test.go) runs a flip
// once with a trace, then once per line of the trace with ZONERW_CRASH_AT
// set to it, and checks what the restarted zonerw serves.
package crashpoint

// Point is one named step. Each is reached at one place in the code.
type Point string

// The points, in the order a publish reaches them.
const (
	// A zone's next version has been made in memory, not stored yet
	// (zones/publish commit).
	VersionMade Point = "publish.version-made"
	// The version is stored (its journal entry synced or its snapshot
	// written), not yet offered to any destination.
	VersionStored Point = "publish.version-stored"
	// The version has been offered to every destination's worker.
	VersionOffered Point = "publish.version-offered"

	// A journal entry has been written, not synced (zones/store).
	JournalWritten Point = "store.journal-written"
	// The journal entry is synced.
	JournalSynced Point = "store.journal-synced"
	// A compaction has written the snapshot and not yet the journal that
	// goes with it: the one moment the pair disagrees.
	SnapshotWritten Point = "store.snapshot-written"

	// Every atomic file write (zones.WriteFile: state file, snapshot,
	// journal rewrite, output file) passes these, in order.
	TempCreated Point = "write.temp-created"
	TempWritten Point = "write.temp-written"
	TempSynced  Point = "write.temp-synced"
	Renamed     Point = "write.renamed"
	DirSynced   Point = "write.dir-synced"

	// The output file's text is rendered, not written (zones/publish file).
	FileRendered Point = "file.rendered"
	// The output file is written, its reload command not run yet.
	FileWritten Point = "file.written"
	// The reload command has run.
	FileReloaded Point = "file.reloaded"

	// The embedded nameserver has swapped the version in, NOTIFY not sent.
	ServeSwapped Point = "serve.swapped"
	// A NOTIFY is about to be sent (dnsserver notifyOnce).
	NotifySending Point = "notify.sending"
	// A secondary acknowledged the NOTIFY.
	NotifyAcked Point = "notify.acked"

	// The state file is about to be written (cmd/zonerw).
	StateSaving Point = "state.saving"
	// The state file is written.
	StateSaved Point = "state.saved"
)

// All is every point, in the order above.
var All = []Point{
	VersionMade, VersionStored, VersionOffered,
	JournalWritten, JournalSynced, SnapshotWritten,
	TempCreated, TempWritten, TempSynced, Renamed, DirSynced,
	FileRendered, FileWritten, FileReloaded,
	ServeSwapped, NotifySending, NotifyAcked,
	StateSaving, StateSaved,
}

// Hit marks that the process has reached p; what says of what (a file's
// base name, a zone), for the trace only. In a normal build it does
// nothing and costs nothing.
func Hit(p Point, what string) { hit(p, what) }
