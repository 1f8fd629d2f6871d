// Package importer translates an existing nameserver's configuration (NSD's
// nsd.conf or BIND's named.conf) into a zonerw config: every primary zone
// with its zone file as the template, its NOTIFY targets as secondaries,
// its provide-xfr or allow-transfer as transfer ACL entries and its TSIG
// keys as key files.
//
// Parsing and translation are pure: Import reads the files it is pointed
// at (and those they include) and returns the YAML, the keys and a list of
// notes; writing anything is the caller's business. Whatever cannot be
// translated becomes a Note naming the source file and line, never a
// silent omission. Secrets appear only in Result.Keys, never in the YAML
// or in a note.
package importer
