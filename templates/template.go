package templates

import (
	"cmp"
	"slices"
)

// Template is a parsed zone template. It is immutable once Parse returns it:
// Render only reads it, so one Template may be rendered from many goroutines.
type Template struct {
	file      string
	lines     []srcLine
	blocks    []block
	services  []string
	hasSerial bool
	size      int // bytes of the template text
}

// block is a run of physical lines rendered as one unit: a record, or a
// line outside any record. A block with an address marker is written once
// per address.
type block struct {
	first, last int      // indexes of its first and last physical lines
	edits       []edit   // sorted by line, then start
	addr        *addrUse // nil unless the block holds an address marker
	ttl         ttlKind  // how the block bears on the TTL of the records after it
}

// addrUse is the address marker of a block.
type addrUse struct {
	text    string // the marker as written, for messages
	service string
	v6      bool
	line    int // 1-based line of the marker, for render errors
}

// editKind says what fills an edit.
type editKind int

const (
	editSerial    editKind = iota // the serial
	editAddr                      // one address
	editTTL                       // the TTL override, or the TTL as written
	editTTLInsert                 // the TTL override and a blank, or nothing
)

// edit replaces line text [start, end) when rendering.
type edit struct {
	line, start, end int
	kind             editKind
}

// File returns the file name the template was parsed from.
func (t *Template) File() string { return t.file }

// Services returns the names of the services whose markers the template
// holds (a bare @IP@ counts as the default service), sorted.
func (t *Template) Services() []string { return slices.Clone(t.services) }

// HasSerial reports whether the template holds a @serial number@ marker.
// Without one a rendered zone keeps the serial written in the template.
func (t *Template) HasSerial() bool { return t.hasSerial }

// sortEdits orders a block's edits the way rendering walks the text.
func sortEdits(edits []edit) {
	slices.SortFunc(edits, func(a, b edit) int {
		return cmp.Or(cmp.Compare(a.line, b.line), cmp.Compare(a.start, b.start))
	})
}
