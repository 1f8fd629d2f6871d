// Package auditlog keeps state_dir/audit.log, zonerw's record of what it
// did and why: one JSON object a line for every switch, event and
// provider drift, with the probe results that caused it. Log appends to
// it (the daemon, cron mode, an offline pin); Scan reads it back front to
// back, skipping and reporting what a crash or a damaged disk left, for
// zonerw log and for the flap governor's memory (Switches).
package auditlog
