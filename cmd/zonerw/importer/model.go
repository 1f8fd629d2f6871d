package importer

import (
	"fmt"
	"net/netip"
)

// Src is where something was read: a file and a 1-based line.
type Src struct {
	File string
	Line int
}

func (s Src) String() string { return fmt.Sprintf("%s:%d", s.File, s.Line) }

// Note is something the translation could not carry over, or carried over
// only in part, with the source line it came from.
type Note struct {
	Src  Src
	Text string
}

func (n Note) String() string { return n.Src.String() + ": " + n.Text }

// Key is a TSIG key read from the source config.
type Key struct {
	Name      string // without the final dot, as the source wrote it
	Algorithm string
	Secret    string // base64
	Src       Src
}

// rule is one transfer ACL entry: from addresses in Prefixes (none: any
// address), signed with Key ("" for none), or, with Deny, refused.
type rule struct {
	Prefixes []netip.Prefix
	Key      string
	Deny     bool
	Src      Src
}

// notify is one NOTIFY target of a zone.
type notify struct {
	Addr netip.AddrPort
	Key  string
	Src  Src
}

// zone is a primary zone as the source config has it.
type zone struct {
	Name     string
	File     string // the zone file, absolute or as written when no directory is known
	Src      Src    // where the zone starts
	FileSrc  Src    // where its file is named
	Notify   []notify
	Transfer []rule
	// TransferSet tells an empty ACL (transfers refused) from none given.
	TransferSet bool
	TransferSrc Src
}

// setup is what a source config says, in the terms zonerw needs.
type setup struct {
	Source string // "nsd" or "bind"
	File   string
	Listen []listen
	Keys   []Key
	Zones  []zone
	Notes  []Note
}

// listen is one address the source server listens on.
type listen struct {
	Addr netip.AddrPort
	Src  Src
}

// note records something not translated.
func (s *setup) note(src Src, format string, args ...any) {
	s.Notes = append(s.Notes, Note{Src: src, Text: fmt.Sprintf(format, args...)})
}
