// Package store keeps each zone's last published version on disk, so that
// a restart serves it from the first query and answers IXFR for the
// versions before it, and so that no serial it published is forgotten.
//
// Per zone, in the store's directory:
//
//	ZONE.snap  a snapshot: one whole version (zones.Version.WriteSnapshot),
//	           replaced atomically
//	ZONE.jnl   the journal: every change since (and some before) the
//	           snapshot, appended one entry per version and synced
//
// A journal entry is framed with its length and a CRC, so a kill in the
// middle of an append loses that entry alone: the next load cuts the torn
// tail off and keeps the rest. A version is made durable (its entry
// appended and synced) before anyone is told of it; the snapshot is
// rewritten only when there is none yet or the journal has grown past
// what it is worth.
package store

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/zonerw/zonerw/zones"
)

// Store is one directory of stored zones. Its methods are safe for
// concurrent use; each zone's files are written by one call at a time.
type Store struct {
	dir      string
	log      *slog.Logger
	limit    int  // journal entries kept per version (zones.Chain's limit)
	readOnly bool // Load repairs nothing and Save is refused
	inline   bool // tests: compactions run within Save

	mu    sync.Mutex
	zones map[string]*zoneFiles
	wg    sync.WaitGroup // background compactions
}

// zoneFiles is what the store knows of one zone's files.
type zoneFiles struct {
	mu       sync.Mutex
	snap     string // path of the snapshot
	jnl      string // path of the journal
	snapped  bool   // a snapshot of the current chain exists
	legacy   bool   // the version was read from the old text files
	entries  int    // entries in the journal file
	recorded int    // records those entries carry
	last     uint32 // serial of the newest version written
	haveLast bool
	// compacting is set while a snapshot is written in the background;
	// since holds the entries appended meanwhile, and gen tells a
	// compaction that a newer snapshot made it moot.
	compacting bool
	since      []zones.Delta
	gen        int
}

// Open opens (creating it, mode 0700) the store directory and removes the
// temp files an interrupted write left there. limit is the number of
// journal entries a version keeps (0: zones.DefaultJournalSize).
func Open(dir string, limit int, log *slog.Logger) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("zone store: %w", err)
	}
	if limit <= 0 {
		limit = zones.DefaultJournalSize
	}
	s := &Store{dir: dir, log: log, limit: limit, zones: map[string]*zoneFiles{}}
	removed, err := zones.RemoveStaleTemps(dir)
	if err != nil {
		return nil, fmt.Errorf("zone store %s: %w", dir, err)
	}
	removed = append(removed, removeUnfinished(dir)...)
	if len(removed) > 0 {
		log.Warn("removed temp files an interrupted write left behind", "dir", dir, "files", strings.Join(removed, " "))
	}
	return s, nil
}

// OpenReadOnly opens the store to read what it holds (zonerw check,
// --dry-run): Load cuts, renames and removes nothing, and Save fails.
func OpenReadOnly(dir string, log *slog.Logger) *Store {
	return &Store{dir: dir, log: log, limit: zones.DefaultJournalSize, readOnly: true, zones: map[string]*zoneFiles{}}
}

// Limit is the number of journal entries a version keeps.
func (s *Store) Limit() int { return s.limit }

// files returns the zone's file record, creating it. The record is the
// same however the name is written ("Example.com", "example.com."): the
// config names a zone one way and its versions another, and two records
// of one zone's files would each think the other's writes were not made.
func (s *Store) files(origin string) *zoneFiles {
	key := strings.ToLower(strings.TrimSuffix(origin, ".")) + "."
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.zones[key]
	if f == nil {
		base := filepath.Join(s.dir, fileName(origin))
		f = &zoneFiles{snap: base + ".snap", jnl: base + ".jnl"}
		s.zones[key] = f
	}
	return f
}

// fileName turns a zone name into a safe file name ("example.com").
func fileName(origin string) string {
	name := strings.TrimSuffix(strings.ToLower(origin), ".")
	if name == "" {
		return "root"
	}
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_' {
			return r
		}
		return '_'
	}, name)
}

// removeUnfinished removes snapshots a background compaction had not put
// in place when the process stopped.
func removeUnfinished(dir string) []string {
	matches, _ := filepath.Glob(filepath.Join(dir, "*.snap"+nextSuffix))
	var out []string
	for _, m := range matches {
		if os.Remove(m) == nil {
			out = append(out, filepath.Base(m))
		}
	}
	return out
}
